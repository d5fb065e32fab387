package org.jlivepatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A fix that adds what redefinition alone refuses: a private helper method, a new lambda, a new
 * class, an instance field (per object) and a static field, built by the real CLI from two class
 * directories and applied live to real forked JVMs (JDK 17 and 25) with per-thread and immediate
 * consistency. Each addition is observed in the target's answers, then reverted; a re-apply after
 * the revert works, and a second patch of the same method stacks on the first and both revert LIFO
 * (the first patch's code lives in a hidden class, which cannot be redefined).
 */
class TrampolineFixTest {

  static Path oldClasses;
  static Path fixClasses;
  static Path fix2Classes;

  @BeforeAll
  static void compile() throws Exception {
    oldClasses = CodecApp.classes('A', CodecApp.ACCOUNT, "account-old");
    fixClasses = CodecApp.classes('A', CodecApp.ACCOUNT_FIX, "account-fix");
    fix2Classes = CodecApp.classes('A', CodecApp.ACCOUNT_FIX2, "account-fix2");
  }

  static Stream<Arguments> jdksAndModels() {
    List<Arguments> arguments = new ArrayList<>();
    Jdk.all().forEach(jdk -> {
      arguments.add(Arguments.of(jdk.get()[0], "per-thread"));
      arguments.add(Arguments.of(jdk.get()[0], "immediate"));
    });
    return arguments.stream();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("jdksAndModels")
  void addedMethodLambdaClassAndFieldsWorkLiveAndRevert(Jdk jdk, String consistency, TestInfo test) throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path fix = dir.resolve("fix.jlp");
    Cli.Run build = CodecApp.build(oldClasses, fixClasses, "fix", fix);
    assertThat(build.out()).contains("app.Account.describe()Ljava/lang/String; (trampoline)",
        "app.Account.report(Ljava/util/List;)Ljava/lang/String; (trampoline)", "(added)",
        "views", "total");
    Path fix2 = dir.resolve("fix2.jlp");
    CodecApp.build(fixClasses, fix2Classes, "fix2", fix2, "--depends", "fix");
    try (TargetJvm target = CodecApp.start(jdk, oldClasses, dir)) {
      String pid = target.pidText();
      // Objects that exist before the patch.
      assertThat(target.ask("accounts a b")).isEqualTo("created 2");
      assertThat(target.ask("describe a")).isEqualTo("account a");
      assertThat(target.ask("report x y")).isEqualTo("x,y");

      apply(pid, fix, consistency);
      // label() (added helper), AccountFormat (added class), views (instance field), total (static field).
      assertThat(target.ask("describe a")).isEqualTo("[account A] views=1 total=1");
      assertThat(target.ask("describe a")).isEqualTo("[account A] views=2 total=2");
      assertThat(target.ask("describe b")).isEqualTo("[account B] views=1 total=3");
      // The new lambda.
      assertThat(target.ask("report x y")).isEqualTo("<x>+<y>");
      // An object created after the patch sees the field's default too.
      assertThat(target.ask("accounts c")).isEqualTo("created 3");
      assertThat(target.ask("describe c")).isEqualTo("[account C] views=1 total=4");

      revert(pid, "fix", consistency);
      assertThat(target.ask("describe a")).isEqualTo("account a");
      assertThat(target.ask("report x y")).isEqualTo("x,y");
      assertThat(LivePatchTest.stackIds(target)).isEmpty();

      // Again: a new hidden class and fresh shadow fields (the reverted patch's are dropped).
      apply(pid, fix, consistency);
      assertThat(target.ask("describe a")).isEqualTo("[account A] views=1 total=1");
      assertThat(target.ask("report x y")).isEqualTo("<x>+<y>");

      // A second patch of the same method on top: it reads and writes the first one's fields.
      apply(pid, fix2, consistency);
      assertThat(LivePatchTest.stackIds(target)).containsExactly("fix", "fix2");
      assertThat(target.ask("describe a")).isEqualTo("[account A] views=2 total=2 v2");
      assertThat(target.ask("describe b")).isEqualTo("[account B] views=1 total=3 v2");
      assertThat(target.ask("report x y")).isEqualTo("<x>+<y>");

      Cli.Run wrongOrder = Cli.run("revert", pid, "fix");
      assertThat(wrongOrder.exitCode()).as(wrongOrder.toString()).isEqualTo(3);
      assertThat(target.ask("describe a")).isEqualTo("[account A] views=3 total=4 v2");

      revert(pid, "fix2", consistency);
      assertThat(target.ask("describe a")).isEqualTo("[account A] views=4 total=5");
      revert(pid, "fix", consistency);
      assertThat(target.ask("describe a")).isEqualTo("account a");
      assertThat(target.ask("report x y")).isEqualTo("x,y");
      assertThat(LivePatchTest.stackIds(target)).isEmpty();
      TargetJvm.assertAlive(target);
    }
  }

  static void apply(String pid, Path payload, String consistency) {
    Cli.Run apply = Cli.run("apply", pid, payload.toString(), "--consistency", consistency);
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
  }

  static void revert(String pid, String id, String consistency) {
    Cli.Run revert = Cli.run("revert", pid, id, "--consistency", consistency);
    assertThat(revert.exitCode()).as(revert.toString()).isZero();
  }
}
