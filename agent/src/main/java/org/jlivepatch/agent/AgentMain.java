package org.jlivepatch.agent;

import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarFile;

/**
 * The agent's entry points. Kept tiny: it puts the hook api on the bootstrap class path, then hands
 * over to {@code org.jlivepatch.agent.rt.AgentRuntime}. Nothing thrown here reaches the target.
 */
public final class AgentMain {

  private static final String API_CLASS = "org.jlivepatch.api.PatchHook";

  private AgentMain() {}

  /** Entry point for {@code -javaagent:jlivepatch-agent.jar=patches=DIR[,trust=FILE]}. */
  public static void premain(String options, Instrumentation instrumentation) {
    start(options, instrumentation, true);
  }

  /** Entry point for a dynamic attach; {@code options} is {@code request=PATH}. */
  public static void agentmain(String options, Instrumentation instrumentation) {
    start(options, instrumentation, false);
  }

  private static void start(String options, Instrumentation instrumentation, boolean atStartup) {
    try {
      installApi(instrumentation);
      // Referenced only now, so that no runtime class links before the api is reachable.
      org.jlivepatch.agent.rt.AgentRuntime.start(instrumentation, options, atStartup);
    } catch (Throwable t) {
      System.err.println("jlivepatch agent: not started: " + t);
    }
  }

  /** Appends the embedded api jar to the bootstrap class path, once per JVM. */
  private static void installApi(Instrumentation instrumentation) throws Exception {
    try {
      Class.forName(API_CLASS, false, null);
      return;
    } catch (ClassNotFoundException notYet) {
      // first load of the agent in this JVM
    }
    Path jar = Files.createTempFile("jlivepatch-api-", ".jar");
    jar.toFile().deleteOnExit();
    try (InputStream in = AgentMain.class.getResourceAsStream("jlivepatch-api.jar")) {
      if (in == null) {
        throw new IllegalStateException("jlivepatch-api.jar is missing from the agent jar");
      }
      Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
    }
    instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
  }
}
