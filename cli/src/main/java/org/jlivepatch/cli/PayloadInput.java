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
import org.jlivepatch.core.payload.Payload;
import org.jlivepatch.core.payload.PayloadException;
import org.jlivepatch.core.payload.PayloadLimits;
import org.jlivepatch.core.payload.PayloadReader;
import org.jlivepatch.core.payload.Signing;

/**
 * Reads payload and key files for keygen, sign, verify and inspect, turning every problem into a
 * {@link CliException} of one line that starts with the file name: exit 1 for a file that is
 * missing or unreadable, exit 3 for a payload that fails validation.
 */
final class PayloadInput {

  /** Key files are small; anything larger is not a key file. */
  private static final int MAX_KEY_FILE_BYTES = 1 << 20;

  private PayloadInput() {}

  /** The bytes of a payload file, refused (exit 3) when larger than the total-size limit. */
  static byte[] readBytes(Path file, PayloadLimits limits) {
    byte[] bytes = readBounded(file, limits.maxTotalBytes());
    if (bytes.length > limits.maxTotalBytes()) {
      throw new CliException(ExitCode.REFUSED, file + ": payload is larger than the limit of "
          + limits.maxTotalBytes() + " bytes");
    }
    return bytes;
  }

  /** Reads and checks a payload file (limits, integrity, format version; not the signature's trust). */
  static Payload readPayload(Path file, PayloadLimits limits) {
    byte[] bytes = readBytes(file, limits);
    try {
      return new PayloadReader(limits).read(bytes);
    } catch (PayloadException e) {
      throw refused(file, e);
    }
  }

  /** The refusal of a payload file: exit 3, {@code FILE: what is wrong}. */
  static CliException refused(Path file, PayloadException e) {
    return new CliException(ExitCode.REFUSED, file + ": " + e.getMessage(), e);
  }

  /** The Ed25519 private key in a PEM file. */
  static PrivateKey readPrivateKey(Path file) {
    String pem = new String(readBounded(file, MAX_KEY_FILE_BYTES), StandardCharsets.US_ASCII);
    try {
      return Signing.readPrivateKey(pem);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.FAILURE, file + ": " + e.getMessage(), e);
    }
  }

  /** Every Ed25519 public key in the PEM files. */
  static List<PublicKey> readPublicKeys(List<Path> files) {
    List<PublicKey> keys = new ArrayList<>();
    for (Path file : files) {
      String pem = new String(readBounded(file, MAX_KEY_FILE_BYTES), StandardCharsets.US_ASCII);
      try {
        keys.addAll(Signing.readPublicKeys(pem));
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.FAILURE, file + ": " + e.getMessage(), e);
      }
    }
    return keys;
  }

  /** At most {@code limit + 1} bytes of {@code file}, so that a caller can tell it is too large. */
  private static byte[] readBounded(Path file, long limit) {
    if (Files.isDirectory(file)) {
      throw new CliException(ExitCode.FAILURE, file + ": is a directory");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCode.FAILURE, file + ": no such file", e);
    } catch (IOException e) {
      throw new CliException(ExitCode.FAILURE, file + ": cannot read: " + e.getMessage(), e);
    }
  }
}
