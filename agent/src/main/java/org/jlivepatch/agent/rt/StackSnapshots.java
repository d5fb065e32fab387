package org.jlivepatch.agent.rt;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * Stacks of other threads, taken so that the target stops as little as the JDK allows. Before JDK
 * 19, {@link Thread#getStackTrace()} of another thread is a safepoint of its own (a thread dump of
 * one thread), so a transition's look at N threads stopped the JVM N times per tick;
 * {@link ThreadMXBean#getThreadInfo(long[], int)} takes them all in one. From JDK 19 on, a thread's
 * stack is read in a handshake with that thread alone, which stops no other thread: those are read
 * one by one.
 */
final class StackSnapshots {

  private static final boolean ONE_SAFEPOINT = Runtime.version().feature() < 19;
  private static final StackTraceElement[] NONE = new StackTraceElement[0];

  private StackSnapshots() {}

  /**
   * The stacks of {@code threads}, in their order: each taken after this call began. A thread that
   * ended has an empty one.
   */
  static StackTraceElement[][] of(List<Thread> threads) {
    StackTraceElement[][] stacks = new StackTraceElement[threads.size()][];
    if (ONE_SAFEPOINT && threads.size() > 1) {
      ThreadInfo[] infos = infos(threads);
      if (infos != null) {
        for (int i = 0; i < stacks.length; i++) {
          stacks[i] = infos[i] != null ? infos[i].getStackTrace() : NONE;
        }
        return stacks;
      }
    }
    for (int i = 0; i < stacks.length; i++) {
      stacks[i] = threads.get(i).getStackTrace();
    }
    return stacks;
  }

  /** One thread dump of {@code threads}, or null where the management API is missing (a jlinked runtime). */
  private static ThreadInfo[] infos(List<Thread> threads) {
    long[] ids = new long[threads.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = threads.get(i).getId();
    }
    try {
      return ManagementFactory.getThreadMXBean().getThreadInfo(ids, Integer.MAX_VALUE);
    } catch (LinkageError | RuntimeException e) {
      return null;
    }
  }
}
