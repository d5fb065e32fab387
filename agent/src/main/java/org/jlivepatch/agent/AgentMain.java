package org.jlivepatch.agent;

import java.lang.instrument.Instrumentation;

/**
 * The agent's entry points. Kept tiny: it hands over to {@code org.jlivepatch.agent.rt.AgentRuntime}.
 * Nothing thrown here reaches the target.
 *
 * <p>The hook api is not put on the bootstrap class path here: on JDK 17 and later, appending to it
 * disables class data sharing for every class loaded afterwards, a cost only a patch with hooks
 * may impose (see {@code org.jlivepatch.agent.rt.ApiJar}).
 */
public final class AgentMain {

  private AgentMain() {}

  /** Entry point for {@code -javaagent:jlivepatch-agent.jar=patches=DIR[,trust=FILE]}. */
  public static void premain(String options, Instrumentation instrumentation) {
    start(options, instrumentation, true, System.nanoTime());
  }

  /** Entry point for a dynamic attach; {@code options} is {@code request=PATH}. */
  public static void agentmain(String options, Instrumentation instrumentation) {
    start(options, instrumentation, false, System.nanoTime());
  }

  private static void start(String options, Instrumentation instrumentation, boolean atStartup, long enteredNanos) {
    try {
      org.jlivepatch.agent.rt.AgentRuntime.start(instrumentation, options, atStartup, enteredNanos);
    } catch (Throwable t) {
      System.err.println("jlivepatch agent: not started: " + t);
    }
  }
}
