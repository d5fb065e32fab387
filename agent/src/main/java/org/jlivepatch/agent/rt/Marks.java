package org.jlivepatch.agent.rt;

import java.util.Locale;

/**
 * Debug timing marks of one request that asked for them ({@code timing=true}): milliseconds since
 * the JVM entered the agent, sent back as the result's {@code timing} key. Costs nothing for a
 * request that did not ask. Only one command runs at a time; a status or await request answered
 * meanwhile does not ask.
 */
final class Marks {

  private static volatile Marks current;

  private final long start;
  private final StringBuilder text = new StringBuilder();

  private Marks(long start) {
    this.start = start;
  }

  /** Starts recording for a request that entered the agent at {@code enteredNanos}. */
  static void begin(long enteredNanos) {
    current = new Marks(enteredNanos);
  }

  /** Records that {@code what} is done, if a request asked for marks. */
  static void mark(String what) {
    markAt(what, System.nanoTime());
  }

  /** Records that {@code what} was done at {@code nanos} ({@link System#nanoTime()}), if a request asked for marks. */
  static void markAt(String what, long nanos) {
    Marks marks = current;
    if (marks != null) {
      synchronized (marks) {
        marks.text.append(marks.text.length() == 0 ? "" : "; ")
            .append(String.format(Locale.ROOT, "%s %.1f", what, (nanos - marks.start) / 1e6));
      }
    }
  }

  /** The marks recorded since {@link #begin}, and stops recording; empty if none were asked for. */
  static String end() {
    Marks marks = current;
    current = null;
    if (marks == null) {
      return "";
    }
    synchronized (marks) {
      return marks.text.toString();
    }
  }
}
