package org.jlivepatch.agent.rt;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jlivepatch.core.fingerprint.Fingerprints;

/**
 * Keeps retransformations of the classes this agent redefined starting from the class file it
 * installed, on JVMs where a redefinition leaves the JVM's own record of it stale (JDK-7124710,
 * fixed in JDK 20).
 *
 * <p>A retransformation does not start from the running code: it starts from the class file as it
 * was before any retransformation-capable agent changed it, which the JVM caches the first time
 * such an agent (an APM agent) changes the class. On JDK 17 to 19 a redefinition never refreshes
 * that cache ({@code KlassFactory::check_class_file_load_hook} hands the old cache to the new
 * version, and {@code redefine_single_class} keeps it). So once an APM agent has instrumented a
 * class, every retransformation after one of our redefinitions, by anyone, starts from the class
 * as it was before that redefinition: reading the running code back (see {@link RunningBytes})
 * sees the wrong code, and an APM agent that retransforms brings back the code before the patch.
 *
 * <p>The agent knows exactly what it installed. On an affected JVM this transformer is registered
 * around each of the agent's redefinitions (it records the bytes as they reach the agent's place
 * in the JVM's order), and stays registered while any class it switched is stale: it then hands a
 * retransformation by another agent the class file it installed instead of the stale one, and
 * {@link #classFile} gives it to the agent's own reads. Agents after this one's place (loaded
 * later: the order the docs ask for) instrument the right code. Whether a class is stale is
 * checked after each command, by reading the class back through the JVM ({@link #settle}): a JVM
 * without another agent that instruments the class never has a stale one, and never gets this
 * transformer registered at class loading.
 *
 * <p>A redefinition by anyone else (another java agent, or a JVMTI agent such as a debugger's
 * hot swap) of a class the agent switched means the agent no longer knows the class file: the
 * class is marked, and the agent's later commands refuse to read it rather than build on stale
 * bytes.
 */
final class RetransformStart implements ClassFileTransformer {

  /** The first feature release with JDK-7124710 fixed. */
  static final int FIXED_IN = 20;

  /** Not a class file: what fails another agent's retransformation that would run the wrong code. */
  private static final byte[] NOT_A_CLASS_FILE = {0, 0, 0, 0};
  /** At most this long another agent's redefinition waits for the end of ours (microseconds in practice). */
  private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** What the agent installed in one stale class, and the stale class file the JVM starts from instead. */
  private record Held(byte[] classFile, byte[] staleStart) {}

  /** One {@code redefineClasses} call of the agent's, while it runs. */
  static final class Redefinition {
    static final Redefinition NONE = new Redefinition(Map.of());

    private final Map<Class<?>, byte[]> passed;
    private final Map<Class<?>, byte[]> seen = new IdentityHashMap<>();
    /** Whether the JVM got as far as the class file hooks: it then holds the classes until it returns. */
    private boolean reached;
    private boolean done;

    private Redefinition(Map<Class<?>, byte[]> passed) {
      this.passed = passed;
    }
  }

  private final Instrumentation instrumentation;
  private final ReentrantLock commandLock;
  private final Audit audit;
  private final boolean affected;

  // All guarded by this.
  private final Map<Class<?>, Held> held = new WeakHashMap<>();
  private final Map<Class<?>, Boolean> switched = new WeakHashMap<>();
  private final Map<Class<?>, String> redefinedByOthers = new WeakHashMap<>();
  private final Set<Class<?>> toSettle = new LinkedHashSet<>();
  private Redefinition active;
  private boolean registered;

  /**
   * @param commandLock the agent's command lock: a thread holding it is the agent's own
   * @param affected whether this JVM leaves the cached class file stale; see {@link #affects}
   */
  RetransformStart(Instrumentation instrumentation, ReentrantLock commandLock, Audit audit, boolean affected) {
    this.instrumentation = instrumentation;
    this.commandLock = commandLock;
    this.audit = audit;
    this.affected = affected;
  }

  /**
   * Whether a JVM of {@code version} leaves the cached class file stale at a redefinition. A
   * version test and not a probe: a probe must make the JVM cache a class file (a retransformation
   * that changes some class) and then redefine that class, two safepoints, and on JDK 17 the first
   * redefinition after an attach throws away all compiled code. A JDK 17-19 build with the fix
   * backported loses nothing by the test: {@link #settle} finds no class stale on it, so nothing
   * stays registered.
   */
  static boolean affects(Runtime.Version version) {
    return version.feature() < FIXED_IN;
  }

  /** Starts tracking one of the agent's redefinitions; call {@link #finished} when it returns. */
  Redefinition redefining(Map<Class<?>, byte[]> definitions) {
    if (!affected) {
      return Redefinition.NONE;
    }
    synchronized (this) {
      Redefinition redefinition = new Redefinition(new IdentityHashMap<>(definitions));
      active = redefinition;
      register();
      return redefinition;
    }
  }

  /** Ends the tracking of a redefinition: on success its classes run what it passed. */
  void finished(Redefinition redefinition, boolean succeeded) {
    if (redefinition == Redefinition.NONE) {
      return;
    }
    synchronized (this) {
      if (succeeded) {
        redefinition.passed.forEach((type, bytes) -> {
          // The bytes as they reached this agent's place: what a retransformation starts from here.
          held.put(type, new Held(redefinition.seen.getOrDefault(type, bytes), null));
          switched.put(type, Boolean.TRUE);
          redefinedByOthers.remove(type);
          toSettle.add(type);
        });
      }
      redefinition.done = true;
      if (active == redefinition) {
        active = null;
      }
      notifyAll();
      if (held.isEmpty()) {
        unregister();
      }
    }
  }

  /**
   * The class file a retransformation of {@code type} must start from when the JVM's own is stale
   * or may be: the one the agent installed; empty when the JVM's is right.
   *
   * @throws CommandException refused at {@code expectation} when another agent redefined the class
   *     since the agent switched it, so nobody knows its class file
   */
  Optional<byte[]> classFile(Class<?> type) throws CommandException {
    if (!affected) {
      return Optional.empty();
    }
    synchronized (this) {
      String other = redefinedByOthers.get(type);
      if (other != null) {
        throw CommandException.refused("expectation", "class " + type.getName() + " in loader "
            + Loaders.describe(type.getClassLoader()) + " was redefined by " + other + " after jlivepatch switched it;"
            + " on Java " + Runtime.version().feature() + " its running code cannot be read back once an agent has"
            + " instrumented it (JDK-7124710, fixed in Java 20): restart the JVM, or run Java 20 or later");
      }
      Held entry = held.get(type);
      return entry == null ? Optional.empty() : Optional.of(entry.classFile().clone());
    }
  }

  /** Reads a class file through the JVM, as a retransformation starts from it. */
  interface JvmReader {
    byte[] read(Class<?> type) throws CommandException;
  }

  /**
   * After a command: reads each class the agent switched since the last call back through the
   * JVM, and keeps handing out the installed class file only for those whose code the JVM's
   * differs from (stale). Unregisters this transformer when none is. Never throws.
   */
  void settle(JvmReader reader) {
    if (!affected) {
      return;
    }
    List<Class<?>> classes;
    synchronized (this) {
      classes = new ArrayList<>(toSettle);
      toSettle.clear();
    }
    for (Class<?> type : classes) {
      Held entry;
      synchronized (this) {
        entry = held.get(type);
      }
      if (entry == null) {
        continue;
      }
      byte[] jvm;
      boolean stale;
      try {
        jvm = reader.read(type);
        stale = !Fingerprints.ofClass(jvm).equals(Fingerprints.ofClass(entry.classFile()));
      } catch (CommandException | RuntimeException | LinkageError e) {
        continue; // kept as it is: handing out what the agent installed is right either way
      }
      synchronized (this) {
        if (held.get(type) == entry) {
          if (stale) {
            held.put(type, new Held(entry.classFile(), jvm));
          } else {
            held.remove(type);
          }
        }
      }
    }
    synchronized (this) {
      if (held.isEmpty() && active == null) {
        unregister();
      }
    }
  }

  /** The classes whose class file the agent hands out (stale ones, between commands), for tests. */
  synchronized Set<String> heldNames() {
    Set<String> names = new LinkedHashSet<>();
    held.keySet().forEach(type -> names.add(type.getName()));
    return names;
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain, byte[] classfileBuffer) {
    if (classBeingRedefined == null) {
      return null; // a class loading: its bytes are the class's own
    }
    try {
      if (commandLock.isHeldByCurrentThread()) {
        ownRedefinition(classBeingRedefined, classfileBuffer);
        return null;
      }
      if (!concerns(classBeingRedefined)) {
        return null; // an APM agent retransforming every loaded class passes here, without a stack walk
      }
      return othersChange(classBeingRedefined, classfileBuffer, calledByRetransformation());
    } catch (RuntimeException | LinkageError e) {
      return null; // never into the JVM's redefinition
    }
  }

  private synchronized boolean concerns(Class<?> type) {
    return switched.containsKey(type) || (active != null && active.passed.containsKey(type));
  }

  private synchronized void ownRedefinition(Class<?> type, byte[] bytes) {
    Redefinition redefinition = active;
    if (redefinition != null && redefinition.passed.containsKey(type)) {
      redefinition.reached = true;
      redefinition.seen.put(type, bytes.clone());
    }
  }

  /** Another agent's retransformation or redefinition of {@code type}; returns what to hand on. */
  private synchronized byte[] othersChange(Class<?> type, byte[] bytes, boolean retransformation) {
    Redefinition ours = active;
    if (ours != null && ours.reached && ours.passed.containsKey(type)) {
      // The JVM let this one in after ours released the class: ours has returned, or is about to.
      long deadline = System.nanoTime() + WAIT_NANOS;
      while (!ours.done) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          warnLater("a " + (retransformation ? "retransformation" : "redefinition") + " of " + type.getName()
              + " by another agent was failed: jlivepatch's own redefinition of it did not finish in time");
          return NOT_A_CLASS_FILE.clone();
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return NOT_A_CLASS_FILE.clone();
        }
      }
    }
    if (!retransformation) {
      if (switched.containsKey(type)) {
        held.remove(type);
        redefinedByOthers.put(type, "another agent");
        warnLater("class " + type.getName() + " was redefined by another agent after jlivepatch switched it; on Java "
            + Runtime.version().feature() + " jlivepatch cannot read its code back any more (JDK-7124710) and will"
            + " refuse to patch or revert it");
      }
      return null;
    }
    Held entry = held.get(type);
    if (entry == null || Arrays.equals(bytes, entry.classFile())) {
      return null;
    }
    if (entry.staleStart() != null && !Arrays.equals(bytes, entry.staleStart())) {
      // Not the stale class file: an agent ahead of this one changed it. Handing on ours would drop
      // that agent's change, keeping the stale one would bring back replaced code: fail the call.
      warnLater("a retransformation of " + type.getName() + " by another agent was failed: an agent ahead of"
          + " jlivepatch's changed the class, and on Java " + Runtime.version().feature() + " it starts from the code"
          + " before jlivepatch's last switch (JDK-7124710)");
      return NOT_A_CLASS_FILE.clone();
    }
    return entry.classFile().clone();
  }

  /**
   * Whether the JVM calls this transformer for {@code Instrumentation.retransformClasses}. Anything
   * else (a redefinition by a java agent, or any call of a JVMTI agent, which leaves no Java frame)
   * counts as a redefinition: the class's code is then unknown.
   */
  private static boolean calledByRetransformation() {
    return StackWalker.getInstance().walk(frames -> frames.anyMatch(frame ->
        frame.getMethodName().equals("retransformClasses0")
            && frame.getClassName().equals("sun.instrument.InstrumentationImpl")));
  }

  private void register() {
    if (!registered) {
      instrumentation.addTransformer(this, true);
      registered = true;
    }
  }

  private void unregister() {
    if (registered) {
      instrumentation.removeTransformer(this);
      registered = false;
    }
  }

  private void warnLater(String message) {
    audit.warningLater(message);
  }
}
