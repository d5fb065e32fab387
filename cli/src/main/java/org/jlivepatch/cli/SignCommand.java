package org.jlivepatch.cli;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jlivepatch.core.payload.Payload;
import org.jlivepatch.core.payload.PayloadException;
import org.jlivepatch.core.payload.PayloadReader;
import org.jlivepatch.core.payload.Signing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jlivepatch sign}: signs an existing payload, replacing any signature it has. */
@Command(
    name = "sign",
    sortOptions = false,
    description = {
      "Sign a payload with an Ed25519 private key.",
      "The payload is checked first; any signature it has is replaced and its content is unchanged. Writes "
          + "FILE.jlp in place unless -o is given. Keys come from 'keygen'."
    })
final class SignCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE.jlp", description = "The payload to sign.")
  Path file;

  @Option(names = "--key", required = true, paramLabel = "KEY", description = "The private key file (PEM).")
  Path keyFile;

  @Option(names = {"-o", "--output"}, paramLabel = "OUT.jlp", description = "Write the signed payload here instead.")
  Path output;

  @Mixin PayloadLimitOptions limitOptions;

  @Mixin JsonMixin json;

  @Override
  public Integer call() {
    PrivateKey key = KeyFiles.readPrivateKey("--key", keyFile);
    byte[] unsigned = PayloadFiles.readBytes(file, limitOptions.limits());
    byte[] signed;
    Payload payload;
    try {
      signed = Signing.sign(unsigned, key, limitOptions.limits());
      payload = new PayloadReader(limitOptions.limits()).read(signed);
    } catch (PayloadException e) {
      throw PayloadFiles.refused(file, e);
    } catch (IOException e) {
      throw new CliException(ExitCode.FAILURE, "cannot sign payload " + file + ": " + e.getMessage(), e);
    }
    Path target = output != null ? output : file;
    write(target, signed);
    String keyId = payload.signature().orElseThrow().keyId();
    if (json.enabled()) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("file", target.toString());
      result.put("id", payload.patch().id());
      result.put("keyId", keyId);
      result.put("contentHash", payload.contentHash());
      JsonOutput.print(spec.commandLine().getOut(), result);
    } else {
      spec.commandLine().getOut().printf("%s: patch %s signed by key %s%n", target, payload.patch().id(), keyId);
      spec.commandLine().getOut().flush();
    }
    return ExitCode.OK;
  }

  /** Writes beside the target and moves into place, so a failure never leaves half a payload. */
  private static void write(Path target, byte[] bytes) {
    Path absolute = target.toAbsolutePath();
    Path temporary = null;
    try {
      temporary = Files.createTempFile(absolute.getParent(), ".jlivepatch-sign-", ".tmp");
      Files.write(temporary, bytes);
      try {
        Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      if (temporary != null) {
        try {
          Files.deleteIfExists(temporary);
        } catch (IOException ignored) {
          // The write failure is what the user needs to see.
        }
      }
      throw new CliException(ExitCode.FAILURE, target + ": cannot write: " + e.getMessage(), e);
    }
  }
}
