package org.jlivepatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A fix whose new bodies use what only the patched class may use, reached from its hidden class:
 * protected members of a superclass in another package (an instance and a static field, an
 * instance and a static method), a super call and a super-interface default method. Built by the
 * real CLI, applied live to real forked JVMs (JDK 17 and 25) per-thread and immediate, observed,
 * reverted and applied again. During a per-thread switch every changed body runs from the hidden
 * class, the in-place one with its super call included.
 */
class SuperclassAccessFixTest {

  static Path oldClasses;
  static Path fixClasses;

  @BeforeAll
  static void compile() throws Exception {
    oldClasses = HeirApp.classes(HeirApp.HEIR, HeirApp.LATE, "heir-old");
    fixClasses = HeirApp.classes(HeirApp.HEIR_FIX, HeirApp.LATE, "heir-fix");
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("org.jlivepatch.it.TrampolineFixTest#jdksAndModels")
  void protectedMembersAndSuperCallsOfAnotherPackageWorkLiveAndRevert(Jdk jdk, String consistency, TestInfo test)
      throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path fix = dir.resolve("heir.jlp");
    Cli.Run build = CodecApp.build(oldClasses, fixClasses, "heir", fix);
    assertThat(build.out()).contains("app.Heir.describe()Ljava/lang/String; (trampoline)", "(added)");
    try (TargetJvm target = CodecApp.start(jdk, oldClasses, dir)) {
      String pid = target.pidText();
      assertThat(target.ask("heirs a b")).isEqualTo("created 2");
      assertThat(target.ask("describe a")).isEqualTo("heir a");
      assertThat(target.ask("plain a")).isEqualTo("plain a");

      TrampolineFixTest.apply(pid, fix, consistency);
      // visits and made are lib.Base's protected fields, id() and kind() its protected methods.
      assertThat(target.ask("describe a")).isEqualTo("heir A visits=1 made=2 kind=base super=[base a] title=titled");
      assertThat(target.ask("describe a")).isEqualTo("heir A visits=2 made=2 kind=base super=[base a] title=titled");
      assertThat(target.ask("describe b")).isEqualTo("heir B visits=1 made=2 kind=base super=[base b] title=titled");
      assertThat(target.ask("plain a")).isEqualTo("plain2 base a");
      assertThat(target.ask("heirs c")).isEqualTo("created 3");
      assertThat(target.ask("describe c")).isEqualTo("heir C visits=1 made=3 kind=base super=[base c] title=titled");

      TrampolineFixTest.revert(pid, "heir", consistency);
      assertThat(target.ask("describe a")).isEqualTo("heir a");
      assertThat(target.ask("plain a")).isEqualTo("plain a");
      assertThat(LivePatchTest.stackIds(target)).isEmpty();

      // The object's own field, not a shadow: it kept its value over the revert.
      TrampolineFixTest.apply(pid, fix, consistency);
      assertThat(target.ask("describe a")).isEqualTo("heir A visits=3 made=3 kind=base super=[base a] title=titled");
      assertThat(target.ask("plain b")).isEqualTo("plain2 base b");
      TrampolineFixTest.revert(pid, "heir", consistency);
      assertThat(target.ask("describe a")).isEqualTo("heir a");
      assertThat(target.stderr()).doesNotContain("IllegalAccessError", "VerifyError");
      TargetJvm.assertAlive(target);
    }
  }
}
