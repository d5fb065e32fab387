package org.jlivepatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A thread parked inside the old {@code Codec.encode} (its round trip started before the apply)
 * holds back a per-thread transition, on real forked JVMs: {@code status} names it with its
 * frame and stack while the apply waits; at the timeout the transition is reversed, the command
 * exits 4 and the thread's round trip is still all old; released in time, the apply completes;
 * with {@code --force} it completes at the timeout with a warning naming the thread. Platform
 * threads on JDK 17 and 25, a virtual thread on JDK 25.
 */
class StragglerTest {

  static Path oldClasses;
  static Path newClasses;

  @BeforeAll
  static void compile() throws Exception {
    oldClasses = CodecApp.classes('A', CodecApp.ACCOUNT, "straggler-old");
    newClasses = CodecApp.classes('B', CodecApp.ACCOUNT, "straggler-new");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void aPlatformThreadInOldCodeHoldsTheTransition(Jdk jdk, TestInfo test) throws Exception {
    stragglers(jdk, test, false);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void aVirtualThreadInOldCodeHoldsTheTransition(Jdk jdk, TestInfo test) throws Exception {
    Assumptions.assumeTrue(jdk.feature() >= 21, "virtual threads need JDK 21+: skipped on " + jdk);
    stragglers(jdk, test, true);
  }

  private static void stragglers(Jdk jdk, TestInfo test, boolean virtual) throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path payload = dir.resolve("codec-b.jlp");
    CodecApp.build(oldClasses, newClasses, "codec-b", payload);
    String kind = virtual ? " virtual" : "";
    try (TargetJvm target = CodecApp.start(jdk, oldClasses, dir)) {
      String pid = target.pidText();
      assertThat(target.ask("roundtrip x")).isEqualTo("a|x");

      // Timeout: reversed, nothing changed, the straggler's round trip all old.
      assertThat(target.ask("hold slow-1" + kind)).isEqualTo("holding");
      Cli.Run timedOut = Cli.run("apply", pid, payload.toString(), "--timeout", "1s");
      assertThat(timedOut.exitCode()).as(timedOut.toString()).isEqualTo(4);
      assertThat(target.ask("roundtrip x")).isEqualTo("a|x");
      assertThat(LivePatchTest.stackIds(target)).isEmpty();
      Cli.Run after = Cli.run("status", pid);
      assertThat(after.exitCode()).as(after.toString()).isZero();
      assertThat(after.out()).contains("no transition in progress");
      assertThat(target.ask("release slow-1")).isEqualTo("a|hold:slow-1");
      assertThat(target.ask("roundtrip x")).isEqualTo("a|x");

      // Released in time: status shows the straggler while the apply waits, then the apply completes.
      assertThat(target.ask("hold slow-2" + kind)).isEqualTo("holding");
      CompletableFuture<Cli.Run> apply = CompletableFuture.supplyAsync(
          () -> Cli.run("apply", pid, payload.toString(), "--timeout", "60s"));
      Cli.Run status = awaitStraggler(pid, "slow-2", apply);
      // Frames of redefined methods carry no file or line (HotSpot drops them for old method versions).
      assertThat(status.out()).contains("transition: apply of codec-b (per-thread), running",
          "slow-2", "at app.Codec.encode(", "at app.Codec.roundTrip(", "at app.Main.holdIf(");
      Cli.Run statusJson = Cli.run("status", pid, "--json");
      assertThat(statusJson.exitCode()).as(statusJson.toString()).isZero();
      JsonObject transition = statusJson.json().getAsJsonObject("transition");
      assertThat(transition.get("state").getAsString()).isEqualTo("running");
      assertThat(transition.get("patch").getAsString()).isEqualTo("codec-b");
      JsonObject straggler = only(transition, "slow-2");
      assertThat(straggler.get("frame").getAsString()).startsWith("app.Codec.encode(");
      assertThat(straggler.get("virtual").getAsBoolean()).isEqualTo(virtual);
      assertThat(straggler.getAsJsonArray("stack").toString()).contains("app.Codec.roundTrip(", "app.Main.holdIf(");
      if (virtual) {
        assertThat(transition.get("virtualThreads").getAsString()).isEqualTo("visible");
      }
      // A second command waiting for the lock is answered pending, then with its own result, not the apply's.
      Cli.Run busy = Cli.run("revert", pid, "codec-b", "--wait", "2s");
      assertThat(busy.exitCode()).as(busy.toString()).isEqualTo(4);
      assertThat(busy.err()).contains("another patch command");
      assertThat(apply).as("the apply waits for slow-2").isNotDone();
      assertThat(target.ask("roundtrip x")).as("the target's own thread is new during the transition").isEqualTo("b|x");
      assertThat(target.ask("release slow-2")).isEqualTo("a|hold:slow-2");
      Cli.Run completed = apply.get(60, TimeUnit.SECONDS);
      assertThat(completed.exitCode()).as(completed.toString()).isZero();
      assertThat(target.ask("roundtrip x")).isEqualTo("b|x");
      assertThat(LivePatchTest.stackIds(target)).containsExactly("codec-b");
      Cli.Run revert = Cli.run("revert", pid, "codec-b");
      assertThat(revert.exitCode()).as(revert.toString()).isZero();
      assertThat(target.ask("roundtrip x")).isEqualTo("a|x");

      // --force: completes at the timeout, warns naming the thread; that thread then mixes, as warned.
      assertThat(target.ask("hold slow-3" + kind)).isEqualTo("holding");
      Cli.Run forced = Cli.run("apply", pid, payload.toString(), "--timeout", "1s", "--force");
      assertThat(forced.exitCode()).as(forced.toString()).isZero();
      assertThat(forced.err()).contains("warning", "forced", "slow-3", "app.Codec.encode");
      assertThat(target.ask("roundtrip x")).isEqualTo("b|x");
      assertThat(LivePatchTest.stackIds(target)).containsExactly("codec-b");
      assertThat(target.ask("release slow-3")).isEqualTo("mixed|A:hold:slow-3");
      Cli.Run revertForced = Cli.run("revert", pid, "codec-b");
      assertThat(revertForced.exitCode()).as(revertForced.toString()).isZero();
      assertThat(target.ask("roundtrip x")).isEqualTo("a|x");
      TargetJvm.assertAlive(target);
    }
  }

  /** Runs {@code status PID} until it names {@code thread}, while {@code apply} has not finished. */
  static Cli.Run awaitStraggler(String pid, String thread, CompletableFuture<Cli.Run> apply) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    Cli.Run status = null;
    while (System.nanoTime() < deadline) {
      if (apply.isDone()) {
        throw new AssertionError("the apply finished while " + thread + " was held in old code: " + apply.get()
            + (status == null ? "" : "\nlast status: " + status));
      }
      status = Cli.run("status", pid);
      assertThat(status.exitCode()).as(status.toString()).isZero();
      if (status.out().contains(thread)) {
        return status;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("status never named " + thread + "; last: " + status);
  }

  /** The one straggler of {@code transition}, asserted to be {@code name}. */
  private static JsonObject only(JsonObject transition, String name) {
    List<JsonElement> stragglers = transition.getAsJsonArray("stragglers").asList();
    assertThat(stragglers).as(transition.toString()).hasSize(1);
    JsonObject straggler = stragglers.get(0).getAsJsonObject();
    assertThat(straggler.get("name").getAsString()).isEqualTo(name);
    return straggler;
  }
}
