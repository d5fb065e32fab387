package org.jlivepatch.bench.steady;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jlivepatch.bench.perf.AgentClient;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.diff.ClassDiffer;
import org.jlivepatch.core.diff.DiffOptions;
import org.jlivepatch.core.diff.DiffResult;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.payload.PayloadWriter;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.SimpleRemapper;

/**
 * Patches a class of this JVM with the real jlivepatch agent, live: builds a payload with the core
 * API (the class as loaded, and another class's code under its name, as {@code jlivepatch build}
 * diffs two builds), attaches to its own JVM ({@code -Djdk.attach.allowAttachSelf=true}), loads
 * the agent jar named by {@value #AGENT_PROPERTY} and applies it with per-thread consistency, and
 * checks that the transition completed.
 */
public final class LivePatch {

  /** The system property naming the agent jar. */
  public static final String AGENT_PROPERTY = "jlp.bench.agent";

  private LivePatch() {}

  /**
   * Applies to {@code target} the code of {@code source} and returns the agent's final message.
   *
   * @param kind the change kind every changed method of the patch must have, to be sure of what is measured
   */
  public static String apply(Class<?> target, Class<?> source, ChangeKind kind) throws Exception {
    String agent = System.getProperty(AGENT_PROPERTY);
    if (agent == null) {
      throw new IllegalStateException("no agent jar: run the fork with -D" + AGENT_PROPERTY + "=jlivepatch-agent.jar"
          + " -Djdk.attach.allowAttachSelf=true");
    }
    byte[] base = bytes(target);
    byte[] renamed = renamed(bytes(source), source, target);
    DiffResult diff = ClassDiffer.diff(ClassSet.builder().add(target.getName(), base).build(),
        ClassSet.builder().add(target.getName(), renamed).build(), DiffOptions.ALL);
    if (!diff.patchable()) {
      throw new IllegalStateException("patch of " + target.getName() + " refused: " + diff.refused());
    }
    String id = "bench-" + target.getSimpleName();
    Patch patch = diff.toPatch(id, "steady-state benchmark", Optional.empty(), List.of());
    for (PatchedMethod method : patch.classes().get(0).methods()) {
      if (method.kind() != kind && method.kind() != ChangeKind.ADDED) {
        throw new IllegalStateException(target.getName() + "." + method.key() + " is " + method.kind() + ", expected " + kind);
      }
    }
    Path payload = Files.createTempFile(id + "-", ".jlp");
    try (OutputStream out = Files.newOutputStream(payload)) {
      PayloadWriter.write(patch, Optional.empty(), out);
    }
    try (AgentClient agent0 = new AgentClient(ProcessHandle.current().pid(), Path.of(agent))) {
      AgentClient.Result result = agent0.apply(payload, "per-thread").check("apply of " + id);
      if (!"completed".equals(result.get("transition.state"))) {
        throw new IllegalStateException("the per-thread transition of " + id + " ended "
            + result.get("transition.state") + ": " + result.get("message"));
      }
      return result.get("message");
    } finally {
      Files.deleteIfExists(payload);
    }
  }

  private static byte[] bytes(Class<?> type) throws IOException {
    try (InputStream in = type.getResourceAsStream("/" + type.getName().replace('.', '/') + ".class")) {
      return in.readAllBytes();
    }
  }

  /** {@code bytes} of class {@code from} with its name changed to {@code to}'s. */
  private static byte[] renamed(byte[] bytes, Class<?> from, Class<?> to) {
    ClassWriter writer = new ClassWriter(0);
    new ClassReader(bytes).accept(new ClassRemapper(writer, new SimpleRemapper(from.getName().replace('.', '/'),
        to.getName().replace('.', '/'))), 0);
    return writer.toByteArray();
  }
}
