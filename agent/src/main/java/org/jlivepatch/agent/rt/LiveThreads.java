package org.jlivepatch.agent.rt;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Enumerates the JVM's live threads: platform threads through the thread groups, virtual threads
 * (JDK 21+) through the JDK's thread containers ({@code jdk.internal.vm.ThreadContainers}, the
 * tree {@code jcmd Thread.dump_to_file} walks). {@code java.base} does not export that package; the
 * agent exports it to itself with {@link Instrumentation#redefineModule}. Everything is reflective so
 * the agent still compiles and runs on JDK 17, where no virtual threads exist.
 */
public final class LiveThreads {

  /** Whether virtual threads can be enumerated; {@link #label()} is the protocol word. */
  public enum Visibility {
    /** Every virtual thread is enumerated. */
    VISIBLE("visible"),
    /**
     * Only virtual threads started in a thread container (an executor, a structured task scope):
     * the JVM runs with {@code -Djdk.trackAllThreads=false}.
     */
    PARTIAL("partial"),
    /** Virtual threads exist on this JDK but cannot be enumerated. */
    INVISIBLE("invisible"),
    /** This JDK has no virtual threads. */
    NONE("none");

    private final String label;

    Visibility(String label) {
      this.label = label;
    }

    /** visible, partial, invisible or none. */
    public String label() {
      return label;
    }
  }

  private static final String CONTAINERS_PACKAGE = "jdk.internal.vm";
  private static final Method IS_VIRTUAL = method(Thread.class, "isVirtual");

  private final Visibility visibility;
  private final String reason;
  private final Method root;
  private final Method children;
  private final Method threads;
  private volatile String failure;

  /**
   * Sets up the enumeration. With an {@code instrumentation}, first exports
   * {@code java.base/jdk.internal.vm} to the agent's module if needed; without one (null), virtual
   * threads are visible only when the JVM already exports that package to it (e.g. {@code
   * --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}). Never throws: what fails is told by
   * {@link #visibility()} and {@link #reason()}.
   */
  public LiveThreads(Instrumentation instrumentation) {
    Found found = find(instrumentation);
    this.visibility = found.visibility;
    this.reason = found.reason;
    this.root = found.root;
    this.children = found.children;
    this.threads = found.threads;
  }

  private record Found(Visibility visibility, String reason, Method root, Method children, Method threads) {}

  private static Found find(Instrumentation instrumentation) {
    if (IS_VIRTUAL == null) {
      return new Found(Visibility.NONE, "", null, null, null);
    }
    try {
      Module base = Object.class.getModule();
      Module agent = LiveThreads.class.getModule();
      if (!base.isExported(CONTAINERS_PACKAGE, agent) && instrumentation != null
          && instrumentation.isModifiableModule(base)) {
        instrumentation.redefineModule(base, Set.of(), Map.of(CONTAINERS_PACKAGE, Set.of(agent)), Map.of(),
            Set.of(), Map.of());
      }
      if (!base.isExported(CONTAINERS_PACKAGE, agent)) {
        return invisible("java.base does not export " + CONTAINERS_PACKAGE + " to the agent");
      }
      Class<?> containers = Class.forName(CONTAINERS_PACKAGE + ".ThreadContainers");
      Class<?> container = Class.forName(CONTAINERS_PACKAGE + ".ThreadContainer");
      Method root = containers.getMethod("root");
      Method children = container.getMethod("children");
      Method threads = container.getMethod("threads");
      boolean all = (Boolean) containers.getMethod("trackAllThreads").invoke(null);
      visit(root.invoke(null), children, threads, t -> { }); // fails here rather than at the first transition
      return new Found(all ? Visibility.VISIBLE : Visibility.PARTIAL,
          all ? "" : "-Djdk.trackAllThreads=false: virtual threads started outside a thread container are not tracked",
          root, children, threads);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return invisible("the JDK's thread containers cannot be read: " + e);
    }
  }

  private static Found invisible(String reason) {
    return new Found(Visibility.INVISIBLE, reason, null, null, null);
  }

  /** Whether virtual threads are enumerated. */
  public Visibility visibility() {
    return failure == null ? visibility : Visibility.INVISIBLE;
  }

  /** {@link #visibility()} as the protocol word: visible, partial, invisible or none. */
  public String virtualThreads() {
    return visibility().label();
  }

  /** Why virtual threads are not (all) visible; empty when they are or when none exist. */
  public String reason() {
    String failed = failure;
    return failed == null ? reason : failed;
  }

  /** Every live platform thread, then every visible live virtual thread. */
  public List<Thread> all() {
    List<Thread> all = new ArrayList<>();
    forEach(all::add);
    return all;
  }

  /**
   * Calls {@code action} for every live platform thread, then every visible live virtual thread. If
   * the virtual threads cannot be enumerated (the JDK changed its internals), they are left out and
   * {@link #visibility()} says invisible from then on.
   */
  public void forEach(Consumer<Thread> action) {
    ThreadGroup top = Thread.currentThread().getThreadGroup();
    while (top != null && top.getParent() != null) {
      top = top.getParent();
    }
    if (top != null) {
      Thread[] all;
      int count;
      do {
        all = new Thread[top.activeCount() + 16];
        count = top.enumerate(all, true);
      } while (count == all.length);
      for (int i = 0; i < count; i++) {
        action.accept(all[i]);
      }
    }
    if (failure == null && (visibility == Visibility.VISIBLE || visibility == Visibility.PARTIAL)) {
      try {
        forEachVirtual(action);
      } catch (ReflectiveOperationException | RuntimeException e) {
        // From now on say so, rather than fail every caller: the platform threads were enumerated.
        failure = "the JDK's thread containers could not be read: " + (e.getCause() != null ? e.getCause() : e);
      }
    }
  }

  private void forEachVirtual(Consumer<Thread> action) throws ReflectiveOperationException {
    visit(root.invoke(null), children, threads, action);
  }

  private static void visit(Object container, Method children, Method threads, Consumer<Thread> action)
      throws ReflectiveOperationException {
    try (Stream<?> members = (Stream<?>) threads.invoke(container)) {
      members.forEach(t -> {
        if (isVirtual((Thread) t)) {
          action.accept((Thread) t);
        }
      });
    }
    Object[] nested;
    try (Stream<?> kids = (Stream<?>) children.invoke(container)) {
      nested = kids.toArray();
    }
    for (Object kid : nested) {
      visit(kid, children, threads, action);
    }
  }

  /** {@link Thread#isVirtual()} where it exists; false on JDK 17. */
  public static boolean isVirtual(Thread thread) {
    if (IS_VIRTUAL == null) {
      return false;
    }
    try {
      return (Boolean) IS_VIRTUAL.invoke(thread);
    } catch (IllegalAccessException | InvocationTargetException e) {
      return false;
    }
  }

  private static Method method(Class<?> type, String name) {
    try {
      return type.getMethod(name);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }
}
