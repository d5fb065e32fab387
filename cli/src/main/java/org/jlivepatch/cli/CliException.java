package org.jlivepatch.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A failure a command reports as one line on standard error and an exit code. */
public class CliException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int exitCode;
  private final transient List<String> details;
  private final transient Map<String, Object> json;

  /**
   * @param exitCode one of {@link ExitCode}
   * @param message one line naming what is wrong
   */
  public CliException(int exitCode, String message) {
    this(exitCode, message, List.of(), Map.of());
  }

  /**
   * @param exitCode one of {@link ExitCode}
   * @param message one line naming what is wrong
   * @param details lines printed on standard error after the message (e.g. the threads that held a
   *     transition up)
   * @param json entries added to the {@code --json} error object
   */
  public CliException(int exitCode, String message, List<String> details, Map<String, Object> json) {
    super(message);
    this.exitCode = exitCode;
    this.details = List.copyOf(details);
    this.json = new LinkedHashMap<>(json);
  }

  /**
   * @param exitCode one of {@link ExitCode}
   * @param message one line naming what is wrong
   * @param cause the underlying exception, shown only with {@code JLIVEPATCH_DEBUG=1}
   */
  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
    this.details = List.of();
    this.json = Map.of();
  }

  /** The exit code, one of {@link ExitCode}. */
  public int exitCode() {
    return exitCode;
  }

  /** Lines to print on standard error after the message; usually none. */
  public List<String> details() {
    return details;
  }

  /** Entries to add to the {@code --json} error object; usually none. */
  public Map<String, Object> json() {
    return json;
  }
}
