package org.jlivepatch.agent.rt;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A live thread a {@link Transition} could not yet move to its target, as seen at the switcher's
 * last look. It holds no reference to the thread.
 *
 * @param name the thread's name
 * @param id the thread's id
 * @param virtual whether it is a virtual thread
 * @param threadState the thread's state at that look (WAITING for a parked thread, ...)
 * @param frame the innermost frame of a gated or guard method on its stack, as
 *     {@code demo.Codec.encode(Codec.java:12)}; null when none was there at that look but the thread
 *     kept entering gated code before it could be moved
 * @param stack its stack at that look, innermost frame first
 */
public record Straggler(String name, long id, boolean virtual, Thread.State threadState, String frame,
    List<StackTraceElement> stack) {

  public Straggler {
    stack = List.copyOf(stack);
  }

  /** The stack as lines {@code class.method(File:line)}, joined by newlines. */
  public String stackText() {
    return stack.stream().map(Straggler::describe).collect(Collectors.joining("\n"));
  }

  /** {@code class.method(File:line)}, without the module and loader prefixes of {@link StackTraceElement#toString()}. */
  static String describe(StackTraceElement e) {
    String where;
    if (e.isNativeMethod()) {
      where = "Native Method";
    } else if (e.getFileName() == null) {
      where = "Unknown Source";
    } else {
      where = e.getLineNumber() >= 0 ? e.getFileName() + ":" + e.getLineNumber() : e.getFileName();
    }
    return e.getClassName() + "." + e.getMethodName() + "(" + where + ")";
  }
}
