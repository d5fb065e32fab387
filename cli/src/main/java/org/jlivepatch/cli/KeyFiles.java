package org.jlivepatch.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.jlivepatch.core.payload.Signing;

/**
 * Reads Ed25519 key files (PEM) named by an option, with one-line messages naming the option and
 * the file; every problem is exit 1.
 */
final class KeyFiles {

  /** Key files are small; anything larger is not a key file. */
  private static final int MAX_KEY_FILE_BYTES = 1 << 20;

  private KeyFiles() {}

  /** The private key in {@code file}, named by {@code option} (e.g. {@code --key}). */
  static PrivateKey readPrivateKey(String option, Path file) {
    try {
      return Signing.readPrivateKey(read(option, file));
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.FAILURE, option + " " + file + ": " + e.getMessage(), e);
    }
  }

  /** Every public key in {@code files}, named by {@code option} (e.g. {@code --trust}). */
  static List<PublicKey> readPublicKeys(String option, List<Path> files) {
    List<PublicKey> keys = new ArrayList<>();
    for (Path file : files) {
      try {
        keys.addAll(Signing.readPublicKeys(read(option, file)));
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.FAILURE, option + " " + file + ": " + e.getMessage(), e);
      }
    }
    return keys;
  }

  private static String read(String option, Path file) {
    if (Files.isDirectory(file)) {
      throw new CliException(ExitCode.FAILURE, option + " " + file + ": is a directory");
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_KEY_FILE_BYTES + 1);
      if (bytes.length > MAX_KEY_FILE_BYTES) {
        throw new CliException(ExitCode.FAILURE, option + " " + file + ": too large for a key file");
      }
      return new String(bytes, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCode.FAILURE, option + " " + file + ": no such file", e);
    } catch (IOException e) {
      throw new CliException(ExitCode.FAILURE, option + " " + file + ": cannot read: " + e.getMessage(), e);
    }
  }
}
