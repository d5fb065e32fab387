package org.jlivepatch.cli;

/** The exit codes of the CLI contract; scripts act on them. */
public final class ExitCode {

  /** The command did what was asked. */
  public static final int OK = 0;
  /** The command failed; the message says why. */
  public static final int FAILURE = 1;
  /** The command line was wrong. */
  public static final int USAGE = 2;
  /** Refused: nothing changed (expectation, dependency, signature, unsafe change, veto). */
  public static final int REFUSED = 3;
  /** Try again later: nothing changed (busy, consistency timeout). */
  public static final int RETRY = 4;

  private ExitCode() {}
}
