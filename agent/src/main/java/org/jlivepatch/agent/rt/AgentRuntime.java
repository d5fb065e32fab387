package org.jlivepatch.agent.rt;

import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.jlivepatch.core.Version;

/**
 * The agent's state in this JVM: one instance, created by the first {@code premain} or
 * {@code agentmain} and reached again by every later attach of the agent jar (the runtime is
 * loaded once, by the system class loader).
 */
public final class AgentRuntime {

  /** System property the agent sets to its version once loaded. */
  static final String VERSION_PROPERTY = "jlivepatch.agent.version";
  /** System property the agent keeps set to the stack's patch ids, bottom to top. */
  static final String STACK_PROPERTY = "jlivepatch.stack";

  private static AgentRuntime instance;

  private final Instrumentation instrumentation;
  private final PatchStack stack = new PatchStack(this::registerLoadTimePatcher);
  private final Audit audit = new Audit();
  private final PayloadSource payloads = new PayloadSource();
  private final RunningBytes runningBytes;
  private final RetransformStart retransformStart;
  private final PatchEngine engine;
  private final LoadTimePatcher loadTimePatcher;
  // Not fair: a fair lock loads ReentrantLock$FairSync, and a second concrete Sync class makes the
  // JVM throw away every compiled method that inlined a lock of the JDK's (queues, buffered
  // streams, executors): measured in an attached HTTP service on JDK 25, 10 of its hot methods.
  private final ReentrantLock commandLock = new ReentrantLock();
  private final TransitionRunner transitions;
  private final Commands commands = new Commands();
  private volatile boolean mbeanRegistered;

  private AgentRuntime(Instrumentation instrumentation) {
    this.instrumentation = instrumentation;
    Bridges bridges = new Bridges(instrumentation);
    this.loadTimePatcher = new LoadTimePatcher(stack, audit, bridges);
    this.retransformStart = new RetransformStart(instrumentation, commandLock, audit,
        RetransformStart.affects(Runtime.version()));
    this.runningBytes = new RunningBytes(instrumentation, retransformStart);
    this.transitions = new TransitionRunner(instrumentation, runningBytes, audit);
    this.engine = new PatchEngine(instrumentation, runningBytes, retransformStart, stack, audit, bridges, transitions);
  }

  /**
   * Starts the agent, or reaches the running one, and handles {@code options}: a request file
   * for an attach, a patch directory at startup. Never throws.
   *
   * @param enteredNanos {@link System#nanoTime()} when the JVM entered the agent, for a request's
   *     timing marks
   */
  public static void start(Instrumentation instrumentation, String options, boolean atStartup, long enteredNanos) {
    AgentRuntime runtime;
    synchronized (AgentRuntime.class) {
      if (instance == null) {
        instance = new AgentRuntime(instrumentation);
        instance.install();
      }
      runtime = instance;
    }
    runtime.registerMBeanIfServerExists();
    long readyNanos = System.nanoTime();
    try {
      if (atStartup) {
        new StartupPatches(runtime).apply(options == null ? "" : options);
      } else {
        new RequestHandler(runtime).handle(options == null ? "" : options, enteredNanos, readyNanos);
      }
    } catch (Throwable t) {
      runtime.audit.warning("agent " + (atStartup ? "startup" : "command") + " failed: " + t);
    }
  }

  private void install() {
    // The JVM gives retransformation-capable agents the class bytes in the order the agents were
    // loaded: taking a place in that order now means an agent loaded later (an APM agent that
    // instruments patched methods) does not change the running code the expectations are read from.
    java.lang.instrument.ClassFileTransformer placeHolder = new java.lang.instrument.ClassFileTransformer() {};
    instrumentation.addTransformer(placeHolder, true);
    instrumentation.removeTransformer(placeHolder);
    System.setProperty(VERSION_PROPERTY, Version.current());
    System.setProperty(STACK_PROPERTY, "");
  }

  /** Registers the class-load patcher while the stack's load view holds a patch; see {@link PatchStack}. */
  private void registerLoadTimePatcher(boolean registered) {
    if (registered) {
      // Not retransformation-capable: the patched bytes become the class's own (see LoadTimePatcher).
      instrumentation.addTransformer(loadTimePatcher, false);
    } else {
      instrumentation.removeTransformer(loadTimePatcher);
    }
  }

  /**
   * Registers the read-only MBean if the JVM's platform MBean server exists, and never creates
   * that server: creating it loads some 750 classes into a JVM that does not use JMX, and every
   * later redefinition in the JVM walks every loaded class. Called at every start and command, so
   * the MBean appears at the first command after the application (or a JMX agent) created the server.
   */
  private void registerMBeanIfServerExists() {
    if (mbeanRegistered) {
      return;
    }
    try {
      // ManagementFactory creates the platform server through MBeanServerFactory, which lists it;
      // listing creates nothing. A server the application created itself also means JMX is in use.
      if (MBeanServerFactory.findMBeanServer(null).isEmpty()) {
        return;
      }
      synchronized (this) {
        if (!mbeanRegistered) {
          ManagementFactory.getPlatformMBeanServer()
              .registerMBean(new PatchStackView(stack), new ObjectName(PatchStackMXBean.OBJECT_NAME));
          mbeanRegistered = true;
        }
      }
    } catch (Throwable t) {
      mbeanRegistered = true; // one warning, not one per command
      audit.warning("the read-only MBean " + PatchStackMXBean.OBJECT_NAME + " is not registered: " + t);
    }
  }

  PatchStack stack() {
    return stack;
  }

  Audit audit() {
    return audit;
  }

  PayloadSource payloads() {
    return payloads;
  }

  PatchEngine engine() {
    return engine;
  }

  TransitionRunner transitions() {
    return transitions;
  }

  /** The change commands started, which {@code await} waits for. */
  Commands commands() {
    return commands;
  }

  /**
   * Runs {@code command} holding the command lock, waiting at most {@code timeoutMillis} for it.
   *
   * @throws CommandException exit 4 at the {@code busy} step if another command holds the lock
   */
  <T> T locked(long timeoutMillis, Command<T> command) throws CommandException {
    boolean acquired;
    try {
      acquired = commandLock.tryLock(Math.max(0, timeoutMillis), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      acquired = false;
    }
    if (!acquired) {
      throw new CommandException(CommandException.RETRY, "busy",
          "another patch command is running in this JVM; retry later (waited " + timeoutMillis + " ms)");
    }
    try {
      engine.resetTimings();
      return command.run();
    } finally {
      try {
        // Still under the lock, so that no other command switches a class meanwhile.
        retransformStart.settle(runningBytes::fromJvm);
      } finally {
        System.setProperty(STACK_PROPERTY, stack.ids());
        commandLock.unlock();
      }
    }
  }

  /** A command run under the lock. */
  interface Command<T> {
    T run() throws CommandException;
  }

  /** The stack as the MBean shows it. */
  static List<PatchStackMXBean.StackEntry> describe(PatchStack stack) {
    List<PatchStackMXBean.StackEntry> entries = new java.util.ArrayList<>();
    for (AppliedPatch p : stack.entries()) {
      entries.add(new PatchStackMXBean.StackEntry(p.id(), p.patch().depends().orElse(""), p.appliedAt().toString(),
          p.user(), p.signer(), p.appliedNames(), p.pendingNames()));
    }
    return List.copyOf(entries);
  }

  /** Sets the trusted keys file named at startup. */
  void setStartupTrustFile(Path file) {
    payloads.setStartupTrustFile(file);
  }
}
