package org.jlivepatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Trampoline patches of classes patched as they load, on real forked JVMs (JDK 17 and 25): a fix
 * adding two classes, one a subclass of the class it patches, given to the agent at JVM start or
 * applied live before that class loads, and
 * a fix using protected members and super calls of a superclass in another package, given at JVM
 * start. The added class is defined, and the hidden class built from the class as defined, at the
 * first call into the patched code.
 */
class LoadTimeTrampolineTest {

  static Path oldClasses;
  static Path heirFixClasses;
  static Path bothFixClasses;
  static Path lateFixClasses;
  static Path innerFixClasses;

  @BeforeAll
  static void compile() throws Exception {
    oldClasses = HeirApp.classes(HeirApp.HEIR, HeirApp.LATE, "load-old");
    heirFixClasses = HeirApp.classes(HeirApp.HEIR_FIX, HeirApp.LATE, "load-heir-fix");
    bothFixClasses = HeirApp.classes(HeirApp.HEIR_FIX, HeirApp.LATE_FIX, "load-both-fix");
    lateFixClasses = HeirApp.classes(HeirApp.HEIR, HeirApp.LATE_FIX, "load-late-fix");
    innerFixClasses = HeirApp.classes(HeirApp.HEIR, HeirApp.LATE, HeirApp.OUTER_FIX, "load-inner-fix");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void fixesGivenAtStartupAddAClassAndReachProtectedMembersAndSuperCalls(Jdk jdk, TestInfo test) throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path patches = Files.createDirectories(dir.resolve("patches"));
    CodecApp.build(oldClasses, heirFixClasses, "heir", patches.resolve("10-heir.jlp"));
    Cli.Run late = CodecApp.build(heirFixClasses, bothFixClasses, "late", patches.resolve("20-late.jlp"),
        "--depends", "heir");
    assertThat(late.out()).contains("app.LateFormat", "app.LateLoud");
    try (TargetJvm target = CodecApp.start(jdk, oldClasses, dir,
        "-javaagent:" + ProtocolClient.agentJar() + "=patches=" + patches)) {
      String pid = target.pidText();
      assertThat(LivePatchTest.stackIds(target)).containsExactly("heir", "late");
      // app.Late and app.Heir load now, patched as they load.
      assertThat(target.ask("late")).isEqualTo("[LATE v2]");
      assertThat(target.ask("heirs a")).isEqualTo("created 1");
      assertThat(target.ask("describe a")).isEqualTo("heir A visits=1 made=1 kind=base super=[base a] title=titled");
      assertThat(target.ask("plain a")).isEqualTo("plain2 base a");

      assertThat(Cli.run("revert", pid, "late").exitCode()).isZero();
      assertThat(target.ask("late")).isEqualTo("late v1");
      assertThat(Cli.run("revert", pid, "heir").exitCode()).isZero();
      assertThat(target.ask("describe a")).isEqualTo("heir a");
      assertThat(target.ask("plain a")).isEqualTo("plain a");

      // Applied live again: the added class, defined at the first call, is reused.
      TrampolineFixTest.apply(pid, patches.resolve("10-heir.jlp"), "per-thread");
      TrampolineFixTest.apply(pid, patches.resolve("20-late.jlp"), "per-thread");
      assertThat(target.ask("late")).isEqualTo("[LATE v2]");
      assertThat(target.ask("describe a")).isEqualTo("heir A visits=2 made=1 kind=base super=[base a] title=titled");
      assertThat(target.stderr()).doesNotContain("loaded unpatched");
      TargetJvm.assertAlive(target);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void aFixAddingAClassReachesAHostLoadedAfterTheApply(Jdk jdk, TestInfo test) throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path fix = dir.resolve("late.jlp");
    CodecApp.build(oldClasses, lateFixClasses, "late", fix);
    try (TargetJvm target = CodecApp.start(jdk, oldClasses, dir)) {
      String pid = target.pidText();
      Cli.Run apply = Cli.run("apply", pid, fix.toString(), "--json");
      assertThat(apply.exitCode()).as(apply.toString()).isZero();
      assertThat(apply.json().getAsJsonArray("classes").toString()).contains("app.Late", "pending");
      // app.Late loads only now: patched as it loads, its new body's class defined at the first call.
      assertThat(target.ask("late")).isEqualTo("[LATE v2]");
      assertThat(target.ask("late")).isEqualTo("[LATE v2]");

      TrampolineFixTest.revert(pid, "late", "per-thread");
      assertThat(target.ask("late")).isEqualTo("late v1");
      TrampolineFixTest.apply(pid, fix, "immediate");
      assertThat(target.ask("late")).isEqualTo("[LATE v2]");
      assertThat(target.stderr()).doesNotContain("loaded unpatched");
      TargetJvm.assertAlive(target);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void aClassAddedForALoadedClassIsDefinedThoughItsHostIsNotLoaded(Jdk jdk, TestInfo test) throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path fix = dir.resolve("inner.jlp");
    Cli.Run build = CodecApp.build(oldClasses, innerFixClasses, "inner", fix);
    assertThat(build.out()).contains("app.Outer$Inner$1");
    try (TargetJvm target = CodecApp.start(jdk, oldClasses, dir)) {
      String pid = target.pidText();
      // app.Outer$Inner is loaded, app.Outer (the added class's host, its nest host) is not.
      assertThat(target.ask("inner")).isEqualTo("inner v1");
      TrampolineFixTest.apply(pid, fix, "per-thread");
      assertThat(target.ask("inner")).isEqualTo("inner v2");
      TrampolineFixTest.revert(pid, "inner", "immediate");
      assertThat(target.ask("inner")).isEqualTo("inner v1");
      TrampolineFixTest.apply(pid, fix, "immediate");
      assertThat(target.ask("inner")).isEqualTo("inner v2");
      TargetJvm.assertAlive(target);
    }
  }
}
