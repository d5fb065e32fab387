package org.jlivepatch.agent.rt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.instrument.ClassDefinition;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * {@link RetransformStart} on this JVM (JDK 17 and 25), with real agents loaded into it, in this
 * order: one "ahead" of ours (it changes a class only when a test asks it to), ours, then an "APM"
 * agent whose retransformation-capable transformer changes every class of the test (a copy of the
 * bytes is a change to the JVM, which then caches the class file).
 */
class RetransformStartTest {

  private static final AtomicInteger CLASSES = new AtomicInteger();
  private static final Map<String, byte[]> AHEAD_CHANGES = new java.util.concurrent.ConcurrentHashMap<>();
  private static Instrumentation ahead;
  private static Instrumentation ours;
  private static Instrumentation apm;

  private final ReentrantLock commandLock = new ReentrantLock();

  @BeforeAll
  static void loadThreeAgents() throws Exception {
    ahead = SelfAttach.load("ahead");
    ahead.addTransformer(new ClassFileTransformer() {
      @Override
      public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
        byte[] change = name == null ? null : AHEAD_CHANGES.get(name);
        return change == null ? null : change.clone();
      }
    }, true);
    ours = SelfAttach.load("ours");
    // Our retransformation-capable environment comes first, as AgentRuntime.install arranges.
    ClassFileTransformer placeHolder = new ClassFileTransformer() {};
    ours.addTransformer(placeHolder, true);
    ours.removeTransformer(placeHolder);
    apm = SelfAttach.load("apm");
    apm.addTransformer(new ClassFileTransformer() {
      @Override
      public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
        return name != null && name.startsWith("rtstart/") ? bytes.clone() : null;
      }
    }, true);
  }

  @Test
  void theJvmAloneStartsARetransformationAfterARedefinitionFromTheOldCodeBeforeJava20() throws Exception {
    RetransformStart start = new RetransformStart(ours, commandLock, new Audit(), false);
    Class<?> type = define("v1");
    redefine(start, type, "v2");
    assertThat(say(type)).isEqualTo("v2");
    retransformByTheApm(type);
    // JDK-7124710: what the workaround is for, and proof that this test sees it.
    assertThat(say(type)).isEqualTo(RetransformStart.affects(Runtime.version()) ? "v1" : "v2");
  }

  @Test
  void aRetransformationByAnAgentLoadedLaterStartsFromWhatWeInstalled() throws Exception {
    RetransformStart start = new RetransformStart(ours, commandLock, new Audit(), true);
    Class<?> type = define("v1");
    redefine(start, type, "v2");
    // Stale only where the JVM has the bug; elsewhere nothing stays registered.
    assertThat(start.heldNames()).isEqualTo(RetransformStart.affects(Runtime.version())
        ? java.util.Set.of(type.getName()) : java.util.Set.of());
    assertThat(readAsTheAgentDoes(start, type)).isEqualTo(Fingerprints.ofClass(classFile(type, "v2")));
    retransformByTheApm(type);
    assertThat(say(type)).isEqualTo("v2");

    redefine(start, type, "v1");
    retransformByTheApm(type);
    assertThat(say(type)).isEqualTo("v1");
    // Back to the class file the JVM cached: not stale any more.
    assertThat(start.heldNames()).isEmpty();
    assertThat(readAsTheAgentDoes(start, type)).isEqualTo(Fingerprints.ofClass(classFile(type, "v1")));
  }

  @Test
  void aClassAnotherAgentRedefinedIsNotReadBackStale() throws Exception {
    RetransformStart start = new RetransformStart(ours, commandLock, new Audit(), true);
    Class<?> type = define("v1");
    redefine(start, type, "v2");
    byte[] v3 = classFile(type, "v3");
    CompletableFuture.runAsync(() -> {
      try {
        apm.redefineClasses(new ClassDefinition(type, v3));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).get(10, TimeUnit.SECONDS);
    assertThat(say(type)).isEqualTo("v3");
    if (RetransformStart.affects(Runtime.version())) {
      // The JVM would answer v1: nobody knows the class file now, and the agent says so.
      commandLock.lock();
      try {
        assertThatThrownBy(() -> new RunningBytes(ours, start).capture(type))
            .isInstanceOf(CommandException.class)
            .hasMessageContaining("class " + type.getName() + " in loader")
            .hasMessageContaining("was redefined by another agent after jlivepatch switched it")
            .hasMessageContaining("JDK-7124710");
      } finally {
        commandLock.unlock();
      }
      assertThat(start.heldNames()).isEmpty();
    } else {
      assertThat(readAsTheAgentDoes(start, type)).isEqualTo(Fingerprints.ofClass(v3));
    }
  }

  @Test
  void aRetransformationOfAStaleClassThatAnAgentAheadChangesIsFailed() throws Exception {
    RetransformStart start = new RetransformStart(ours, commandLock, new Audit(), true);
    Class<?> type = define("v1");
    redefine(start, type, "v2");
    AHEAD_CHANGES.put(type.getName().replace('.', '/'), classFile(type, "ahead"));
    try {
      CompletableFuture<Void> retransform = CompletableFuture.runAsync(() -> {
        try {
          ahead.retransformClasses(type);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      if (RetransformStart.affects(Runtime.version())) {
        // Neither its change on the stale v1 nor v2 without its change would be right.
        assertThatThrownBy(() -> retransform.get(10, TimeUnit.SECONDS)).hasRootCauseInstanceOf(ClassFormatError.class);
        assertThat(say(type)).isEqualTo("v2");
      } else {
        retransform.get(10, TimeUnit.SECONDS);
        assertThat(say(type)).isEqualTo("ahead");
      }
    } finally {
      AHEAD_CHANGES.clear();
    }
  }

  @Test
  void onlyJdksBefore20AreAffected() {
    assertThat(RetransformStart.affects(Runtime.Version.parse("17.0.15"))).isTrue();
    assertThat(RetransformStart.affects(Runtime.Version.parse("19.0.2"))).isTrue();
    assertThat(RetransformStart.affects(Runtime.Version.parse("20"))).isFalse();
    assertThat(RetransformStart.affects(Runtime.Version.parse("25.0.3"))).isFalse();
  }

  /** Redefines as a command of the agent does: through the switcher, then the check after the command. */
  private void redefine(RetransformStart start, Class<?> type, String version) throws CommandException {
    commandLock.lock();
    try {
      new Switcher(ours, null, start).redefine(Map.of(type, classFile(type, version)), "redefine", "");
      start.settle(new RunningBytes(ours, start)::fromJvm);
    } finally {
      commandLock.unlock();
    }
  }

  private Map<String, String> readAsTheAgentDoes(RetransformStart start, Class<?> type) throws CommandException {
    commandLock.lock();
    try {
      return Fingerprints.ofClass(new RunningBytes(ours, start).capture(type));
    } finally {
      commandLock.unlock();
    }
  }

  /** The APM agent retransforms {@code type} from a thread of its own, as it does when it is loaded. */
  private static void retransformByTheApm(Class<?> type) throws Exception {
    CompletableFuture.runAsync(() -> {
      try {
        apm.retransformClasses(type);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).get(10, TimeUnit.SECONDS);
  }

  private static Class<?> define(String version) {
    String name = "rtstart/T" + CLASSES.incrementAndGet();
    byte[] bytes = classFile(name, version);
    return new ClassLoader(null) {
      Class<?> define() {
        return defineClass(name.replace('/', '.'), bytes, 0, bytes.length);
      }
    }.define();
  }

  private static byte[] classFile(Class<?> type, String version) {
    return classFile(type.getName().replace('.', '/'), version);
  }

  /** A class whose static {@code say()} answers {@code version}. */
  private static byte[] classFile(String internalName, String version) {
    ClassWriter writer = new ClassWriter(0);
    writer.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, internalName, null, "java/lang/Object", null);
    MethodVisitor say = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "say", "()Ljava/lang/String;",
        null, null);
    say.visitCode();
    say.visitLdcInsn(version);
    say.visitInsn(Opcodes.ARETURN);
    say.visitMaxs(1, 0);
    say.visitEnd();
    writer.visitEnd();
    return writer.toByteArray();
  }

  private static String say(Class<?> type) throws ReflectiveOperationException {
    return (String) type.getMethod("say").invoke(null);
  }
}
