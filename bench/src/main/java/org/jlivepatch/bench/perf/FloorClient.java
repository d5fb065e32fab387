package org.jlivepatch.bench.perf;

import com.sun.tools.attach.VirtualMachine;
import java.util.Locale;

/**
 * The command-latency floor: a minimal program that attaches to a JVM and loads
 * {@link RawRedefineAgent} with a directory of class files. Arguments: {@code PID AGENT.jar DIR},
 * or {@code --hello} to measure only JVM start and exit. Prints the same progress lines as the CLI
 * on standard error, and with {@code -Djlivepatch.timing=true} the same timing marks, so the
 * harness can split its time the same way.
 */
public final class FloorClient {

  private static final long START = System.nanoTime();
  private static final boolean TIMING = Boolean.getBoolean("jlivepatch.timing");

  private FloorClient() {}

  /** Attaches, redefines through the agent, detaches. */
  public static void main(String[] args) throws Exception {
    mark("main");
    if (args.length == 1 && args[0].equals("--hello")) {
      return;
    }
    System.err.println("attaching to JVM " + args[0] + "...");
    mark("target found");
    VirtualMachine vm = VirtualMachine.attach(args[0]);
    mark("attached");
    try {
      System.err.println("loading the agent...");
      mark("loading the agent");
      vm.loadAgent(args[1], args[2]);
      mark("agent returned");
    } finally {
      vm.detach();
    }
    mark("done");
  }

  private static void mark(String what) {
    if (TIMING) {
      System.err.println(String.format(Locale.ROOT, "jlivepatch timing: %.1f ms %s", (System.nanoTime() - START) / 1e6, what));
    }
  }
}
