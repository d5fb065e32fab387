package org.jlivepatch.cli;

import java.util.Locale;

/**
 * Debug timing marks, on standard error as they happen, when the system property
 * {@value #PROPERTY} is {@code true}: milliseconds since {@code main} started, and the agent's own
 * marks (since the target JVM entered the agent) for the commands that load it. The bench's latency
 * figure reads them to split a command's time. Off, they cost one boolean test.
 */
public final class Timing {

  /** The system property that turns the marks on. */
  public static final String PROPERTY = "jlivepatch.timing";

  private static final boolean ENABLED = Boolean.getBoolean(PROPERTY);
  private static final long START = System.nanoTime();

  private Timing() {}

  /** Whether marks are printed. */
  public static boolean enabled() {
    return ENABLED;
  }

  /** Prints {@code jlivepatch timing: 12.3 ms WHAT} if enabled. */
  public static void mark(String what) {
    if (ENABLED) {
      System.err.println(String.format(Locale.ROOT, "jlivepatch timing: %.1f ms %s", (System.nanoTime() - START) / 1e6, what));
    }
  }

  /** Prints the agent's marks for one request, {@code jlivepatch timing: in target: ...}, if enabled and any. */
  public static void agent(String marks) {
    if (ENABLED && !marks.isEmpty()) {
      System.err.println("jlivepatch timing: in target (ms since the agent was entered): " + marks);
    }
  }
}
