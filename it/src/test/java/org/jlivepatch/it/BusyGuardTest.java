package org.jlivepatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.jlivepatch.it.TortureTest.Counts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Per-thread transitions complete while worker threads of a real forked JVM (JDK 17 and 25) call the
 * guard {@code Codec.roundTrip} back to back, so that a guard frame is on their stacks nearly all
 * the time: a thread whose {@code roundTrip} has called nothing yet moves at the gate of
 * {@code encode}, its first call. Beside them, workers call {@code Codec.twice}, a guard whose loop
 * makes two round trips: every call in it is reachable from an earlier one, so its frame always
 * holds, and its two round trips never run different versions (those workers park between calls,
 * where the transition moves them from outside).
 */
class BusyGuardTest {

  static final int CYCLES = 20;
  static final int BUSY = 6;
  static final int LOOPS = 2;
  /** Far above what a transition takes here (tens of ms), far below the chance of catching every busy worker outside its guard. */
  static final String TIMEOUT = "5000";

  static Path oldClasses;
  static Path newClasses;

  @BeforeAll
  static void compile() throws Exception {
    oldClasses = CodecApp.classes('A', CodecApp.ACCOUNT, "busy-old");
    newClasses = CodecApp.classes('B', CodecApp.ACCOUNT, "busy-new");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void perThreadTransitionsCompleteUnderBackToBackGuardCalls(Jdk jdk, TestInfo test) throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path payload = dir.resolve("codec-b.jlp");
    Cli.Run build = CodecApp.build(oldClasses, newClasses, "codec-b", payload);
    assertThat(build.out()).contains("2 guard(s)"); // roundTrip and twice
    try (TargetJvm target = CodecApp.start(jdk, oldClasses, dir);
        AgentSession agent = new AgentSession(target.pid())) {
      assertThat(target.ask("roundtrip x")).isEqualTo("a|x");
      assertThat(target.ask("busy-start " + BUSY + " " + LOOPS)).isEqualTo("started");
      List<Long> transitionMs = new ArrayList<>();
      for (int cycle = 0; cycle < CYCLES; cycle++) {
        Properties apply = agent.command(AgentSession.request("command", "apply", "payload", payload.toString(),
            "transitionTimeout", TIMEOUT));
        assertThat(apply.getProperty("exitCode")).as("apply %d: %s", cycle, apply).isEqualTo("0");
        transitionMs.add(Long.parseLong(apply.getProperty("transition.ms")));
        Properties revert = agent.command(AgentSession.request("command", "revert", "id", "codec-b",
            "transitionTimeout", TIMEOUT));
        assertThat(revert.getProperty("exitCode")).as("revert %d: %s", cycle, revert).isEqualTo("0");
        transitionMs.add(Long.parseLong(revert.getProperty("transition.ms")));
      }
      Counts counts = Counts.parse(target.ask("torture-stop"));
      System.out.printf("[jlivepatch-it] %s busy guard: %d busy + %d looping workers, %d apply/revert cycles, "
          + "transition ms %s, %s%n", jdk, BUSY, LOOPS, CYCLES, transitionMs, counts);
      assertThat(counts.mixed()).as("mixed round trips or split loops: %s", counts).isZero();
      assertThat(counts.errors()).as("%s", counts).isZero();
      assertThat(counts.oldTrips()).as("%s", counts).isPositive();
      assertThat(counts.newTrips()).as("%s", counts).isPositive();
      assertThat(target.ask("roundtrip x")).isEqualTo("a|x");
      TargetJvm.assertAlive(target);
    }
  }
}
