package org.jlivepatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.jlivepatch.core.testing.InMemoryCompiler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.objectweb.asm.ClassVisitor;

/**
 * Another java agent instruments the class a patch changes, the way APM agents do (a
 * retransformation-capable transformer, written with ASM, that wraps every value one method of
 * app.Codec returns as {@code apm(...)}); on real forked JVMs (JDK 17 and 25).
 *
 * <p>Loaded after jlivepatch's agent (at startup in that order, or attached later), its
 * instrumentation is on the new code once an apply has completed (per-thread, the default, and
 * immediate), on the old code after the revert, across stacked patches and a replace, and on a
 * patch applied as the class loaded; during a per-thread transition it instruments the gated class.
 * A retransformation while patched starts from the patched code, one after a revert from the old
 * code. On JDK 17 to 19 the JVM itself would start it from stale bytes (JDK-7124710): these tests
 * fail there without the agent's workaround.
 *
 * <p>Loaded before jlivepatch's agent (earlier at startup, or with jlivepatch attached later), its
 * instrumentation is in every class file jlivepatch reads back, and it would instrument the patched
 * class a second time at the switch: the patch is refused, whichever method it instruments, unless
 * what runs is exactly a class file jlivepatch installed as that agent instruments it (a class
 * patched as it loaded). An agent that instruments only as classes load is ahead too, but makes
 * nothing twice: its instrumentation stays, once.
 */
class ApmAgentTest {

  static Path oldClasses;
  static Path newClasses;
  static Path thirdClasses;
  static Path apmJar;
  static Path asmJar;

  @BeforeAll
  static void compile() throws Exception {
    oldClasses = CodecApp.classes('A', CodecApp.ACCOUNT, "apm-old");
    newClasses = CodecApp.classes('B', CodecApp.ACCOUNT, "apm-new");
    thirdClasses = CodecApp.classes('C', CodecApp.ACCOUNT, "apm-third");
    asmJar = Path.of(ClassVisitor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    apmJar = apmAgentJar(Files.createTempDirectory(CodecApp.work(), "apm-").resolve("apm.jar"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void anAgentLoadedAtStartupAfterJlivepatchKeepsItsInstrumentation(Jdk jdk, TestInfo test) throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path payload = dir.resolve("codec-b.jlp");
    CodecApp.build(oldClasses, newClasses, "codec-b", payload);
    // jlivepatch's agent first, as docs/consistency.md asks.
    try (TargetJvm target = CodecApp.start(jdk, classPath(), dir, "-javaagent:" + ProtocolClient.agentJar(),
        "-javaagent:" + apmJar)) {
      String pid = target.pidText();
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(a|x)");

      succeeds(Cli.run("apply", pid, payload.toString()));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(b|x)");
      succeeds(Cli.run("revert", pid, "codec-b"));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(a|x)");

      succeeds(Cli.run("apply", pid, payload.toString(), "--consistency", "immediate"));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(b|x)");
      succeeds(Cli.run("revert", pid, "codec-b", "--consistency", "immediate"));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(a|x)");

      succeeds(Cli.run("apply", pid, payload.toString()));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(b|x)");
      // A retransformation while patched (a second APM agent's) starts from the patched code ...
      loadApm(pid);
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(apm(b|x))");
      succeeds(Cli.run("revert", pid, "codec-b"));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(apm(a|x))");
      // ... and one after the revert from the old code.
      loadApm(pid);
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(apm(apm(a|x)))");
      assertThat(target.stderr()).contains("apm: installed at startup").doesNotContain("apm: failed");
      TargetJvm.assertAlive(target);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void duringATransitionTheAgentInstrumentsTheGatedClass(Jdk jdk, TestInfo test) throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path payload = dir.resolve("codec-b.jlp");
    CodecApp.build(oldClasses, newClasses, "codec-b", payload);
    try (TargetJvm target = CodecApp.start(jdk, classPath(), dir, "-javaagent:" + ProtocolClient.agentJar(),
        "-javaagent:" + apmJar)) {
      String pid = target.pidText();
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(a|x)");
      assertThat(target.ask("hold slow-1")).isEqualTo("holding");
      CompletableFuture<Cli.Run> apply = CompletableFuture.supplyAsync(
          () -> Cli.run("apply", pid, payload.toString(), "--timeout", "60s"));
      StragglerTest.awaitStraggler(pid, "slow-1", apply);
      // The gated decode is instrumented: a thread on the new code gets the new body's result through it.
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(b|x)");
      // A retransformation during the transition starts from the gated class, gates included.
      loadApm(pid);
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(apm(b|x))");
      assertThat(apply).as("the apply waits for slow-1").isNotDone();
      assertThat(target.ask("release slow-1")).isEqualTo("apm(apm(a|hold:slow-1))");
      succeeds(apply.get(60, TimeUnit.SECONDS));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(apm(b|x))");
      succeeds(Cli.run("revert", pid, "codec-b"));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(apm(a|x))");
      TargetJvm.assertAlive(target);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void aPatchAppliedAtStartupKeepsTheInstrumentationOfAnAgentLoadedAfterJlivepatch(Jdk jdk, TestInfo test)
      throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path patches = Files.createDirectories(dir.resolve("patches"));
    Path payload = patches.resolve("codec-b.jlp");
    CodecApp.build(oldClasses, newClasses, "codec-b", payload);
    try (TargetJvm target = CodecApp.start(jdk, classPath(), dir,
        "-javaagent:" + ProtocolClient.agentJar() + "=patches=" + patches, "-javaagent:" + apmJar)) {
      String pid = target.pidText();
      // Patched as it loaded, then instrumented.
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(b|x)");
      assertThat(LivePatchTest.stackIds(target)).containsExactly("codec-b");
      succeeds(Cli.run("revert", pid, "codec-b"));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(a|x)");
      loadApm(pid);
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(apm(a|x))");
      succeeds(Cli.run("apply", pid, payload.toString()));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(apm(b|x))");
      TargetJvm.assertAlive(target);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void anAgentAttachedAfterThePatchKeepsItsInstrumentation(Jdk jdk, TestInfo test) throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path payload = dir.resolve("codec-b.jlp");
    CodecApp.build(oldClasses, newClasses, "codec-b", payload);
    try (TargetJvm target = CodecApp.start(jdk, classPath(), dir)) {
      String pid = target.pidText();
      assertThat(target.ask("roundtrip x")).isEqualTo("a|x");
      succeeds(Cli.run("apply", pid, payload.toString()));
      assertThat(target.ask("roundtrip x")).isEqualTo("b|x");

      loadApm(pid);
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(b|x)");

      succeeds(Cli.run("revert", pid, "codec-b"));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(a|x)");
      succeeds(Cli.run("apply", pid, payload.toString()));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(b|x)");
      succeeds(Cli.run("revert", pid, "codec-b", "--consistency", "immediate"));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(a|x)");

      // A retransformation after the revert (a second APM agent's) starts from the old code, not the patch's.
      loadApm(pid);
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(apm(a|x))");
      assertThat(target.stderr()).contains("apm: installed late").doesNotContain("apm: failed");
      TargetJvm.assertAlive(target);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void stackedPatchesAndAReplaceKeepTheInstrumentation(Jdk jdk, TestInfo test) throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path b = dir.resolve("codec-b.jlp");
    Path c = dir.resolve("codec-c.jlp");
    Path cumulative = dir.resolve("codec-c2.jlp");
    CodecApp.build(oldClasses, newClasses, "codec-b", b);
    CodecApp.build(newClasses, thirdClasses, "codec-c", c, "--depends", "codec-b");
    CodecApp.build(oldClasses, thirdClasses, "codec-c2", cumulative);
    try (TargetJvm target = CodecApp.start(jdk, classPath(), dir, "-javaagent:" + ProtocolClient.agentJar(),
        "-javaagent:" + apmJar)) {
      String pid = target.pidText();
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(a|x)");
      succeeds(Cli.run("apply", pid, b.toString()));
      succeeds(Cli.run("apply", pid, c.toString()));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(c|x)");
      succeeds(Cli.run("revert", pid, "codec-c"));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(b|x)");

      succeeds(Cli.run("replace", pid, cumulative.toString()));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(c|x)");
      assertThat(LivePatchTest.stackIds(target)).containsExactly("codec-c2");
      loadApm(pid);
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(apm(c|x))");
      succeeds(Cli.run("revert", pid, "codec-c2"));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(apm(a|x))");
      TargetJvm.assertAlive(target);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void aPatchOfAClassAnAgentAheadOfJlivepatchInstrumentsIsRefused(Jdk jdk, TestInfo test) throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path payload = dir.resolve("codec-b.jlp");
    CodecApp.build(oldClasses, newClasses, "codec-b", payload);
    // The APM agent loaded first at startup, or jlivepatch's attached later: the APM agent is ahead of it. It
    // instruments a method the patch changes (decode), or one the patch leaves alone (roundTrip): either way its
    // instrumentation is in the class file jlivepatch reads, and the switch would have it made twice.
    for (String method : List.of("decode", "roundTrip")) {
      for (boolean jlivepatchAtStartup : List.of(true, false)) {
        String[] options = jlivepatchAtStartup
            ? new String[] {"-javaagent:" + apmJar + "=" + method, "-javaagent:" + ProtocolClient.agentJar()}
            : new String[] {"-javaagent:" + apmJar + "=" + method};
        try (TargetJvm target = CodecApp.start(jdk, classPath(), dir.resolve(method + "-" + jlivepatchAtStartup),
            options)) {
          String pid = target.pidText();
          assertThat(target.ask("roundtrip x")).isEqualTo("apm(a|x)");
          Cli.Run apply = Cli.run("apply", pid, payload.toString());
          assertThat(apply.exitCode()).as(apply.toString()).isEqualTo(3);
          assertThat(apply.err()).as(apply.toString()).contains("refused at step 'expectation'")
              .contains("class app.Codec in loader app is transformed at each redefinition by an agent ahead of"
                  + " jlivepatch's")
              .contains("load jlivepatch's agent before that agent");
          assertThat(target.ask("roundtrip x")).isEqualTo("apm(a|x)");
          assertThat(LivePatchTest.stackIds(target)).isEmpty();
          assertThat(target.redefinitions("app.Codec")).isEmpty();
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void aClassPatchedAsItLoadedUnderAnAgentAheadIsPatchedFurtherAndReverted(Jdk jdk, TestInfo test) throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path patches = Files.createDirectories(dir.resolve("patches"));
    Path b = patches.resolve("codec-b.jlp");
    Path c = dir.resolve("codec-c.jlp");
    Path cumulative = dir.resolve("codec-c2.jlp");
    CodecApp.build(oldClasses, newClasses, "codec-b", b);
    CodecApp.build(newClasses, thirdClasses, "codec-c", c, "--depends", "codec-b");
    CodecApp.build(oldClasses, thirdClasses, "codec-c2", cumulative);
    try (TargetJvm target = CodecApp.start(jdk, classPath(), dir, "-javaagent:" + apmJar,
        "-javaagent:" + ProtocolClient.agentJar() + "=patches=" + patches)) {
      String pid = target.pidText();
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(b|x)");
      // What runs is what jlivepatch installed as the agent ahead instruments it: patches build on the former,
      // and the agent instruments their code once.
      succeeds(Cli.run("apply", pid, c.toString()));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(c|x)");
      succeeds(Cli.run("revert", pid, "codec-c"));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(b|x)");
      succeeds(Cli.run("replace", pid, cumulative.toString()));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(c|x)");
      succeeds(Cli.run("revert", pid, "codec-c2"));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(a|x)");
      // Now nothing but the instrumented class is known: a patch on it is refused.
      Cli.Run again = Cli.run("apply", pid, b.toString());
      assertThat(again.exitCode()).as(again.toString()).isEqualTo(3);
      assertThat(again.err()).contains("is transformed at each redefinition by an agent ahead of jlivepatch's");
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(a|x)");
      TargetJvm.assertAlive(target);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void anAgentAheadThatInstrumentsOnlyAsClassesLoadKeepsItsInstrumentationOnce(Jdk jdk, TestInfo test)
      throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path payload = dir.resolve("codec-b.jlp");
    CodecApp.build(oldClasses, newClasses, "codec-b", payload);
    try (TargetJvm target = CodecApp.start(jdk, classPath(), dir, "-javaagent:" + apmJar + "=roundTrip:load",
        "-javaagent:" + ProtocolClient.agentJar())) {
      String pid = target.pidText();
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(a|x)");
      succeeds(Cli.run("apply", pid, payload.toString()));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(b|x)");
      succeeds(Cli.run("revert", pid, "codec-b"));
      assertThat(target.ask("roundtrip x")).isEqualTo("apm(a|x)");
      TargetJvm.assertAlive(target);
    }
  }

  private static void succeeds(Cli.Run run) {
    assertThat(run.exitCode()).as(run.toString()).isZero();
  }

  /** Loads the APM agent into the target, which retransforms app.Codec. */
  private static void loadApm(String pid) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(pid);
    try {
      vm.loadAgent(apmJar.toString());
    } finally {
      vm.detach();
    }
  }

  /** The app's classes and ASM, which the APM agent (on the system class path too) uses. */
  private static Path classPath() {
    return Path.of(oldClasses + java.io.File.pathSeparator + asmJar);
  }

  /** Compiles fixture/apm/Apm.java against ASM and writes it as an agent jar. */
  private static Path apmAgentJar(Path jar) throws IOException {
    String source;
    try (InputStream in = ApmAgentTest.class.getClassLoader().getResourceAsStream("fixture/apm/Apm.java")) {
      source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Map<String, byte[]> classes = InMemoryCompiler.compile(Map.of("apm.Apm", source),
        "--release", "17", "-classpath", asmJar.toString());
    Manifest manifest = new Manifest();
    Attributes attributes = manifest.getMainAttributes();
    attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    attributes.putValue("Premain-Class", "apm.Apm");
    attributes.putValue("Agent-Class", "apm.Apm");
    attributes.putValue("Can-Retransform-Classes", "true");
    attributes.putValue("Can-Redefine-Classes", "true");
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
      for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
        out.putNextEntry(new JarEntry(entry.getKey().replace('.', '/') + ".class"));
        out.write(entry.getValue());
        out.closeEntry();
      }
    }
    return jar;
  }
}
