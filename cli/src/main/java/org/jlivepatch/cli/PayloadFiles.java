package org.jlivepatch.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jlivepatch.core.payload.PayloadLimits;

/** Checks a payload file on this side before anything is sent to a target, for a fast clear error. */
final class PayloadFiles {

  private PayloadFiles() {}

  /**
   * Returns the absolute path of {@code file} if it looks like a usable payload. The agent checks
   * it again, fully, in the target.
   *
   * @throws CliException exit 1 when the file is missing or unreadable, exit 3 when it is not a
   *     payload or exceeds the limits
   */
  static Path check(Path file) {
    Path path = file.toAbsolutePath().normalize();
    if (!Files.exists(path)) {
      throw new CliException(ExitCode.FAILURE, "payload " + file + " does not exist");
    }
    if (!Files.isRegularFile(path)) {
      throw new CliException(ExitCode.FAILURE, "payload " + file + " is not a regular file");
    }
    if (!Files.isReadable(path)) {
      throw new CliException(ExitCode.FAILURE, "payload " + file + " is not readable");
    }
    try {
      long size = Files.size(path);
      if (size > PayloadLimits.DEFAULT.maxTotalBytes()) {
        throw refused(file, size + " bytes exceeds the limit of " + PayloadLimits.DEFAULT.maxTotalBytes());
      }
      byte[] magic;
      try (InputStream in = Files.newInputStream(path)) {
        magic = in.readNBytes(4);
      }
      if (magic.length < 4 || magic[0] != 'P' || magic[1] != 'K' || magic[2] != 3 || magic[3] != 4) {
        throw refused(file, size == 0 ? "the file is empty" : "not a jlivepatch payload (not a zip archive)");
      }
    } catch (IOException e) {
      throw new CliException(ExitCode.FAILURE, "cannot read payload " + file + ": " + e.getMessage(), e);
    }
    return path;
  }

  private static CliException refused(Path file, String reason) {
    return new CliException(ExitCode.REFUSED, "payload " + file + " refused: " + reason);
  }
}
