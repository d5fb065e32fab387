package org.jlivepatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.jlivepatch.core.model.HookClass;
import org.jlivepatch.core.model.Patch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the agent promises the target and the patch author, observed from outside real forked
 * JVMs on JDK 17 and 25: a hook-less patch leaves the boot class path alone, a class loading
 * during an apply or revert ends up like every other, hooks run once per command and see which
 * classes are pending, and requests the agent cannot honour are refused, not ignored.
 */
class AgentContractTest {

  /** What the JVM prints when something appends to the bootstrap class path (JDK 17 and 25). */
  static final String CDS_WARNING = "bootstrap classpath has been appended";
  static final String API_CLASS = "org.jlivepatch.api.PatchHook";

  @BeforeAll
  static void compileApp() throws Exception {
    LivePatchTest.compileApp();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void aPatchWithoutHooksLeavesTheBootClassPathAlone(Jdk jdk, TestInfo test) throws Exception {
    Path dir = LivePatchTest.dir(test, jdk);
    Path p1 = Fixtures.payload(LivePatchTest.patch("p1", null, LivePatchTest.BASE, LivePatchTest.BANG),
        dir.resolve("p1.jlp"), null);
    Map<String, byte[]> observing = Fixtures.hooks(Map.of("hooks.Observing", """
        package hooks;
        import org.jlivepatch.api.*;
        public class Observing implements PatchHook {
          @Override public void postApply(PatchContext context) {
            context.log("postApply saw " + context.patchedClasses());
          }
        }
        """));
    Path observed = Fixtures.payload(Fixtures.patch("observed", null, Fixtures.app(LivePatchTest.BASE),
        Fixtures.app(LivePatchTest.BANG), Fixtures.hookClasses(observing, "hooks.Observing")),
        dir.resolve("observed.jlp"), null);
    try (TargetJvm target = LivePatchTest.start(jdk, dir)) {
      Cli.Run apply = LivePatchTest.cli("apply", target.pidText(), p1.toString());
      assertThat(apply.exitCode()).as(apply.toString()).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!");
      assertThat(LivePatchTest.cli("revert", target.pidText(), "p1").exitCode()).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      assertThat(target.ask("boot-finds " + API_CLASS)).isEqualTo("false");
      assertThat(target.ask("property jdk.boot.class.path.append")).doesNotContain("jlivepatch-api");
      assertThat(target.stderr()).doesNotContain(CDS_WARNING);

      // The first patch with hooks puts the api there, and its hooks work.
      Cli.Run hooked = LivePatchTest.cli("apply", target.pidText(), observed.toString());
      assertThat(hooked.exitCode()).as(hooked.toString()).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!");
      assertThat(target.stderr()).contains("hook of observed: postApply saw [class app.Greeter]");
      assertThat(target.ask("boot-finds " + API_CLASS)).isEqualTo("true");
      assertThat(target.stderr()).contains(CDS_WARNING);
    }
    // Startup mode with a hook-less patch: the same.
    Path patches = Files.createDirectories(dir.resolve("patches"));
    Files.copy(p1, patches.resolve("p1.jlp"));
    try (TargetJvm target = LivePatchTest.start(jdk, dir.resolve("startup"),
        "-javaagent:" + ProtocolClient.agentJar() + "=patches=" + patches)) {
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!");
      assertThat(target.ask("boot-finds " + API_CLASS)).isEqualTo("false");
      assertThat(target.stderr()).doesNotContain(CDS_WARNING);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void classesDefinedDuringApplyAndRevertEndUpLikeAllOthers(Jdk jdk, TestInfo test) throws Exception {
    Path dir = LivePatchTest.dir(test, jdk);
    Path lib = Fixtures.write(Fixtures.lib("\"lib-1\""), dir.resolve("lib"));
    Patch libPatch = Fixtures.patch("lib", null, Fixtures.lib("\"lib-1\""), Fixtures.lib("\"lib-2\""), List.of());
    Path file = Fixtures.payload(libPatch, dir.resolve("lib.jlp"), null);
    try (TargetJvm target = LivePatchTest.start(jdk, dir)) {
      for (int round = 0; round < 8; round++) {
        // A thread defines lib.Lib in fresh class loaders throughout each command.
        assertThat(target.ask("churn-start " + lib)).isEqualTo("started");
        Thread.sleep(30);
        Cli.Run apply = LivePatchTest.cli("apply", target.pidText(), file.toString());
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(target.ask("churn-stop lib-2")).as("after apply, round " + round).matches("loaders=[1-9]\\d* stale=0");

        assertThat(target.ask("churn-start " + lib)).isEqualTo("started");
        Thread.sleep(30);
        Cli.Run revert = LivePatchTest.cli("revert", target.pidText(), "lib");
        assertThat(revert.exitCode()).as(revert.toString()).isZero();
        assertThat(target.ask("churn-stop lib-1")).as("after revert, round " + round).matches("loaders=[1-9]\\d* stale=0");
      }
      TargetJvm.assertAlive(target);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void hooksRunOncePerCommandAndSeeWhichClassesArePending(Jdk jdk, TestInfo test) throws Exception {
    Path dir = LivePatchTest.dir(test, jdk);
    Map<String, byte[]> base = Fixtures.app(LivePatchTest.BASE);
    // Only app.Lazy, not loaded yet: the hook runs under the system class loader with no class.
    Path lazyOnly = Fixtures.payload(Fixtures.patch("lazyonly", null, base, Fixtures.app(LivePatchTest.LAZY2),
        reportingHook()), dir.resolve("lazyonly.jlp"), null);
    // app.Greeter (loaded) and app.Lazy (pending).
    Path both = Fixtures.payload(Fixtures.patch("both", null, base, Fixtures.app(new Fixtures.Version("!", 1, 2)),
        reportingHook()), dir.resolve("both.jlp"), null);
    try (TargetJvm target = LivePatchTest.start(jdk, dir)) {
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      assertThat(LivePatchTest.cli("apply", target.pidText(), lazyOnly.toString()).exitCode()).isZero();
      assertThat(LivePatchTest.cli("revert", target.pidText(), "lazyonly").exitCode()).isZero();
      assertThat(hookLines(target, "lazyonly")).containsExactly(
          "preApply patched=[] pending=[app.Lazy] loader=app",
          "postApply patched=[] pending=[app.Lazy] loader=app",
          "preRevert patched=[] pending=[app.Lazy] loader=app",
          "postRevert patched=[] pending=[app.Lazy] loader=app");

      Cli.Run apply = LivePatchTest.cli("apply", target.pidText(), both.toString());
      assertThat(apply.exitCode()).as(apply.toString()).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!");
      // The pending class is patched as it loads, without a hook call.
      assertThat(target.ask("lazy")).isEqualTo("lazy-2");
      assertThat(hookLines(target, "both")).containsExactly(
          "preApply patched=[app.Greeter] pending=[app.Lazy] loader=app",
          "postApply patched=[app.Greeter] pending=[app.Lazy] loader=app");
      assertThat(LivePatchTest.cli("revert", target.pidText(), "both").exitCode()).isZero();
      assertThat(target.ask("lazy")).isEqualTo("lazy-1");
      assertThat(hookLines(target, "both")).hasSize(4).endsWith(
          "postRevert patched=[app.Greeter] pending=[app.Lazy] loader=app");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void unknownConsistencyModelsAndForceWithoutATransitionAreRefusedNotIgnored(Jdk jdk, TestInfo test)
      throws Exception {
    Path dir = LivePatchTest.dir(test, jdk);
    Path p1 = Fixtures.payload(LivePatchTest.patch("p1", null, LivePatchTest.BASE, LivePatchTest.BANG),
        dir.resolve("p1.jlp"), null);
    try (TargetJvm target = LivePatchTest.start(jdk, dir)) {
      Properties forced = ProtocolClient.send(target.pid(), Map.of("command", "apply", "payload", p1.toString(),
          "consistency", "immediate", "force", "true"));
      assertThat(forced.getProperty("exitCode")).as(forced.toString()).isEqualTo("2");
      assertThat(forced.getProperty("step")).isEqualTo("request");
      assertThat(forced.getProperty("message")).contains("force", "immediate");
      Properties unknown = ProtocolClient.send(target.pid(), Map.of("command", "replace", "payload", p1.toString(),
          "consistency", "eventually"));
      assertThat(unknown.getProperty("exitCode")).as(unknown.toString()).isEqualTo("2");
      assertThat(unknown.getProperty("message")).contains("eventually", "per-thread or immediate");
      Properties badTimeout = ProtocolClient.send(target.pid(), Map.of("command", "apply", "payload", p1.toString(),
          "transitionTimeout", "soon"));
      assertThat(badTimeout.getProperty("exitCode")).as(badTimeout.toString()).isEqualTo("2");
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      assertThat(LivePatchTest.stackIds(target)).isEmpty();

      Properties plain = ProtocolClient.send(target.pid(), Map.of("command", "apply", "payload", p1.toString(),
          "force", "false"));
      assertThat(plain.getProperty("exitCode")).as(plain.toString()).isEqualTo("0");
      assertThat(plain.getProperty("transition.state")).as(plain.toString()).isEqualTo("completed");
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!");
    }
  }

  /** A hook that logs, in every phase, the classes it is told about and its class loader's parent. */
  static List<HookClass> reportingHook() {
    Map<String, byte[]> compiled = Fixtures.hooks(Map.of("hooks.Report", """
        package hooks;
        import java.util.stream.Collectors;
        import org.jlivepatch.api.*;
        public class Report implements PatchHook {
          private static void report(String phase, PatchContext context) {
            context.log(phase + " patched=" + context.patchedClasses().stream().map(Class::getName)
                .collect(Collectors.toList()) + " pending=" + context.pendingClasses()
                + " loader=" + Report.class.getClassLoader().getParent().getName());
          }
          @Override public void preApply(PatchContext context) { report("preApply", context); }
          @Override public void postApply(PatchContext context) { report("postApply", context); }
          @Override public void preRevert(PatchContext context) { report("preRevert", context); }
          @Override public void postRevert(PatchContext context) { report("postRevert", context); }
        }
        """));
    return Fixtures.hookClasses(compiled, "hooks.Report");
  }

  /** The lines the hooks of {@code patchId} logged, in order, without the prefix. */
  static List<String> hookLines(TargetJvm target, String patchId) {
    String prefix = "jlivepatch: hook of " + patchId + ": ";
    return target.stderr().lines().filter(l -> l.contains(prefix))
        .map(l -> l.substring(l.indexOf(prefix) + prefix.length())).toList();
  }
}
