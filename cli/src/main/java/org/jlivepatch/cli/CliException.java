package org.jlivepatch.cli;

/** A failure a command reports as one line on standard error and an exit code. */
public class CliException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int exitCode;

  /**
   * @param exitCode one of {@link ExitCode}
   * @param message one line naming what is wrong
   */
  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  /**
   * @param exitCode one of {@link ExitCode}
   * @param message one line naming what is wrong
   * @param cause the underlying exception, shown only with {@code JLIVEPATCH_DEBUG=1}
   */
  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** The exit code, one of {@link ExitCode}. */
  public int exitCode() {
    return exitCode;
  }
}
