package org.jlivepatch.bench.perf;

import com.sun.tools.attach.VirtualMachine;

/**
 * The command-latency floor: a minimal program that attaches to a JVM and loads
 * {@link RawRedefineAgent} with a directory of class files. Arguments: {@code PID AGENT.jar DIR},
 * or {@code --hello} to measure only JVM start and exit. Prints the same progress lines as the CLI
 * on standard error, so the harness can split its time the same way.
 */
public final class FloorClient {

  private FloorClient() {}

  /** Attaches, redefines through the agent, detaches. */
  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals("--hello")) {
      return;
    }
    System.err.println("attaching to JVM " + args[0] + "...");
    VirtualMachine vm = VirtualMachine.attach(args[0]);
    try {
      System.err.println("loading the agent...");
      vm.loadAgent(args[1], args[2]);
    } finally {
      vm.detach();
    }
  }
}
