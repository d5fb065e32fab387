package org.jlivepatch.agent.rt;

/** A command that stops at one of the checks, with the exit code and step the CLI reports. */
final class CommandException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Exit code: a failure. */
  static final int FAILURE = 1;
  /** Exit code: refused, nothing changed. */
  static final int REFUSED = 3;
  /** Exit code: retry later, nothing changed. */
  static final int RETRY = 4;

  private final int exitCode;
  private final String step;

  CommandException(int exitCode, String step, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
    this.step = step;
  }

  static CommandException refused(String step, String message) {
    return new CommandException(REFUSED, step, message);
  }

  static CommandException failed(String step, String message) {
    return new CommandException(FAILURE, step, message);
  }

  int exitCode() {
    return exitCode;
  }

  String step() {
    return step;
  }
}
