package org.jlivepatch.agent.rt;

import com.sun.tools.attach.VirtualMachine;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Loads java agents into the test JVM itself (needs {@code -Djdk.attach.allowAttachSelf=true}).
 * Each load is an agent of its own, with JVMTI environments of its own, in load order: what a
 * target sees of jlivepatch's agent and an APM agent. The agent class is this one, found on the
 * class path, so its {@code agentmain} hands the {@link Instrumentation} over to the tests.
 */
public final class SelfAttach {

  private static final Map<String, Instrumentation> LOADED = new ConcurrentHashMap<>();

  private SelfAttach() {}

  /** Agent entry point; {@code name} keys the instrumentation. */
  public static void agentmain(String name, Instrumentation instrumentation) {
    LOADED.put(name, instrumentation);
  }

  /** Loads a new agent into this JVM and returns its instrumentation. */
  static Instrumentation load(String name) throws Exception {
    Path jar = Files.createTempFile("self-attach-", ".jar");
    Manifest manifest = new Manifest();
    Attributes attributes = manifest.getMainAttributes();
    attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    attributes.putValue("Agent-Class", SelfAttach.class.getName());
    attributes.putValue("Can-Redefine-Classes", "true");
    attributes.putValue("Can-Retransform-Classes", "true");
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
      // the manifest is the whole agent: its class is on the class path already
    }
    VirtualMachine vm = VirtualMachine.attach(Long.toString(ProcessHandle.current().pid()));
    try {
      vm.loadAgent(jar.toString(), name);
    } finally {
      vm.detach();
      Files.deleteIfExists(jar);
    }
    Instrumentation instrumentation = LOADED.get(name);
    if (instrumentation == null) {
      throw new IllegalStateException("agent " + name + " did not start");
    }
    return instrumentation;
  }
}
