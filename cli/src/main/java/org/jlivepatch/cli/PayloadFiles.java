package org.jlivepatch.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jlivepatch.cli.attach.AgentClient;
import org.jlivepatch.core.payload.Payload;
import org.jlivepatch.core.payload.PayloadException;
import org.jlivepatch.core.payload.PayloadLimits;
import org.jlivepatch.core.payload.PayloadReader;

/**
 * Reads and checks payload files for every command, with the same one-line messages: exit 1 for a
 * file that is missing or unreadable, exit 3 for a payload that fails validation. Commands that
 * send a payload to a target send exactly the bytes checked here; the agent checks them again.
 */
final class PayloadFiles {

  private PayloadFiles() {}

  /**
   * A payload read from a file.
   *
   * @param file the file as the user named it
   * @param payload what it holds
   * @param bytes the file's bytes, as checked
   */
  record Checked(Path file, Payload payload, byte[] bytes) {

    /** The bytes to send to an agent, named for its messages. */
    AgentClient.Upload upload() {
      return new AgentClient.Upload(file.toString(), file.getFileName().toString(), bytes);
    }
  }

  /** Reads and checks {@code file} under the default limits. */
  static Checked read(Path file) {
    return read(file, PayloadLimits.DEFAULT);
  }

  /**
   * Reads {@code file} and checks it as a payload: limits, integrity, format version, fingerprints
   * (not whether its signer is trusted).
   *
   * @throws CliException exit 1 when the file is missing or unreadable, exit 3 when it is not a
   *     valid payload
   */
  static Checked read(Path file, PayloadLimits limits) {
    byte[] bytes = readBytes(file, limits);
    try {
      return new Checked(file, new PayloadReader(limits).read(bytes), bytes);
    } catch (PayloadException e) {
      throw refused(file, e);
    } catch (RuntimeException e) {
      // A reader bug must not pass for a payload problem, but must still be one line.
      throw new CliException(ExitCode.REFUSED, "payload " + file + " refused: cannot be read (" + e + ")", e);
    }
  }

  /**
   * The bytes of a payload file, read no further than the total-size limit.
   *
   * @throws CliException exit 1 when the file is missing or unreadable, exit 3 when it is larger
   *     than the limit
   */
  static byte[] readBytes(Path file, PayloadLimits limits) {
    if (Files.isDirectory(file)) {
      throw new CliException(ExitCode.FAILURE, "payload " + file + " is a directory");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxTotalBytes() + 1));
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCode.FAILURE, "payload " + file + " does not exist", e);
    } catch (IOException e) {
      throw new CliException(ExitCode.FAILURE, "cannot read payload " + file + ": " + e.getMessage(), e);
    }
    if (bytes.length > limits.maxTotalBytes()) {
      throw new CliException(ExitCode.REFUSED, "payload " + file + " refused: it is larger than the limit of "
          + limits.maxTotalBytes() + " bytes");
    }
    return bytes;
  }

  /** The refusal of a payload file: exit 3, {@code payload FILE refused: what is wrong}. */
  static CliException refused(Path file, PayloadException e) {
    return new CliException(ExitCode.REFUSED, "payload " + file + " refused: " + oneLine(e.getMessage()), e);
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ");
  }
}
