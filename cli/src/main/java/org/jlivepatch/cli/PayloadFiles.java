package org.jlivepatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jlivepatch.cli.attach.AgentClient;
import org.jlivepatch.core.payload.Payload;
import org.jlivepatch.core.payload.PayloadException;
import org.jlivepatch.core.payload.PayloadLimits;
import org.jlivepatch.core.payload.PayloadReader;

/**
 * Reads and checks a payload file on this side before anything is sent to a target, for a fast
 * clear error. The agent checks it again in the target, signature and trust included.
 */
final class PayloadFiles {

  private PayloadFiles() {}

  /**
   * A payload read from a file: the bytes checked here are the bytes sent.
   *
   * @param file the file as the user named it
   * @param payload what it holds
   * @param upload the bytes to send to the agent
   */
  record Checked(Path file, Payload payload, AgentClient.Upload upload) {}

  /**
   * Returns the absolute path of {@code file} if it is a readable regular file.
   *
   * @throws CliException exit 1 when the file is missing, not a file, or unreadable
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
    return path;
  }

  /**
   * Reads {@code file} and checks it as a payload: limits, integrity, format version.
   *
   * @throws CliException exit 1 when the file is missing or unreadable, exit 3 (refused) when it
   *     is not a valid payload
   */
  static Checked read(Path file) {
    Path path = check(file);
    byte[] bytes;
    try {
      long size = Files.size(path);
      if (size > PayloadLimits.DEFAULT.maxTotalBytes()) {
        throw new CliException(ExitCode.REFUSED, "payload " + file + " refused: " + size
            + " bytes is more than the limit of " + PayloadLimits.DEFAULT.maxTotalBytes());
      }
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new CliException(ExitCode.FAILURE, "cannot read payload " + file + ": " + e.getMessage(), e);
    }
    try {
      Payload payload = new PayloadReader(PayloadLimits.DEFAULT).read(bytes);
      return new Checked(file, payload, new AgentClient.Upload(file.toString(), path.getFileName().toString(), bytes));
    } catch (PayloadException e) {
      throw new CliException(ExitCode.REFUSED, "payload " + file + " refused: " + AgentCommands.oneLine(e.getMessage()));
    } catch (RuntimeException e) {
      // a reader bug must not pass for a payload problem, but must still be one line
      throw new CliException(ExitCode.REFUSED, "payload " + file + " refused: cannot be read (" + e + ")", e);
    }
  }
}
