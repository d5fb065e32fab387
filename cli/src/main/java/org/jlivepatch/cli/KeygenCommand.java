package org.jlivepatch.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jlivepatch.core.payload.Signing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jlivepatch keygen}: creates an Ed25519 key pair for signing payloads. */
@Command(
    name = "keygen",
    sortOptions = false,
    description = {
      "Generate an Ed25519 key pair for signing payloads.",
      "NAME.key is the private key (PKCS#8 PEM, readable by its owner only; give it to 'build --sign' or "
          + "'sign --key'); NAME.pub is the public key (X.509 PEM; give it to 'verify --trust' and to the agent's "
          + "trust file). Never overwrites a file."
    })
final class KeygenCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "NAME",
      description = "Write NAME.key and NAME.pub.")
  String name;

  @Mixin JsonMixin json;

  @Override
  public Integer call() {
    Path privateFile = Path.of(name + ".key");
    Path publicFile = Path.of(name + ".pub");
    for (Path file : new Path[] {privateFile, publicFile}) {
      if (Files.exists(file)) {
        throw new CliException(ExitCode.FAILURE, file + ": already exists; not overwriting a key");
      }
    }
    KeyPair pair = Signing.generateKeyPair();
    writePrivate(privateFile, Signing.toPem(pair.getPrivate()));
    try {
      Files.writeString(publicFile, Signing.toPem(pair.getPublic()), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
    } catch (IOException e) {
      deleteQuietly(privateFile);
      throw new CliException(ExitCode.FAILURE, publicFile + ": cannot write: " + describe(e), e);
    }
    String keyId = Signing.keyId(pair.getPublic());
    if (json.enabled()) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("privateKey", privateFile.toString());
      result.put("publicKey", publicFile.toString());
      result.put("keyId", keyId);
      JsonOutput.print(spec.commandLine().getOut(), result);
    } else {
      spec.commandLine().getOut().printf("wrote %s (private: keep it secret) and %s (public); key id %s%n",
          privateFile, publicFile, keyId);
      spec.commandLine().getOut().flush();
    }
    return ExitCode.OK;
  }

  /** Creates the file owner-only from the start, so the key is never readable by others, not even briefly. */
  private static void writePrivate(Path file, String pem) {
    try {
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
        java.io.File f = file.toFile();
        boolean ok = f.setReadable(false, false) && f.setReadable(true, true)
            && f.setWritable(false, false) && f.setWritable(true, true);
        if (!ok) {
          deleteQuietly(file);
          throw new CliException(ExitCode.FAILURE, file + ": cannot make the private key readable by its owner only");
        }
      }
      Files.writeString(file, pem, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (FileAlreadyExistsException e) {
      throw new CliException(ExitCode.FAILURE, file + ": already exists; not overwriting a key", e);
    } catch (IOException e) {
      throw new CliException(ExitCode.FAILURE, file + ": cannot write: " + describe(e), e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // The caller reports the original failure.
    }
  }

  private static String describe(IOException e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
