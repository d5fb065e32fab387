package org.jlivepatch.agent.rt;

/** A command that stops at one of the checks, with the exit code and step the CLI reports. */
final class CommandException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Exit code: a failure. */
  static final int FAILURE = 1;
  /** Exit code: the request asks for something this agent does not do; nothing changed. */
  static final int USAGE = 2;
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

  /** A request this agent does not carry out, at the {@code request} step. */
  static CommandException usage(String message) {
    return new CommandException(USAGE, "request", message);
  }

  static CommandException failed(String step, String message) {
    return new CommandException(FAILURE, step, message);
  }

  /** {@code text} on one line, for messages that must stay one line; empty for null. */
  static String oneLine(String text) {
    return text == null ? "" : text.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }

  int exitCode() {
    return exitCode;
  }

  String step() {
    return step;
  }
}
