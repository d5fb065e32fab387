package org.jlivepatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Worker threads of a real forked JVM (JDK 17 and 25) do encode→decode round trips through
 * {@code Codec.roundTrip}, a caller outside the patch, while the patch (encode and decode switch
 * from scheme A to scheme B) is applied and reverted {@value #CYCLES} times. A round trip that
 * encodes with one version and decodes with the other is counted by the target as mixed.
 *
 * <p>With {@code consistency=immediate} mixed round trips happen (the control: proof the test sees
 * them); with per-thread consistency there are none.
 */
class TortureTest {

  static final int CYCLES = 200;
  static final int WORKERS = 4;
  private static final Pattern COUNTS =
      Pattern.compile("old=(\\d+) new=(\\d+) mixed=(\\d+) errors=(\\d+) first=(.*)");

  static Path oldClasses;
  static Path newClasses;

  @BeforeAll
  static void compile() throws Exception {
    oldClasses = CodecApp.classes('A', CodecApp.ACCOUNT, "torture-old");
    newClasses = CodecApp.classes('B', CodecApp.ACCOUNT, "torture-new");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void immediateSwitchLetsRoundTripsMixVersions(Jdk jdk, TestInfo test) throws Exception {
    Counts counts = torture(jdk, test, "immediate");
    assertThat(counts.mixed).as("mixed round trips with consistency=immediate: %s", counts).isPositive();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void perThreadConsistencyNeverMixesVersions(Jdk jdk, TestInfo test) throws Exception {
    Counts counts = torture(jdk, test, "per-thread");
    assertThat(counts.mixed).as("mixed round trips with per-thread consistency: %s", counts).isZero();
  }

  /** Applies and reverts the codec patch {@value #CYCLES} times under load; returns the target's counts. */
  private static Counts torture(Jdk jdk, TestInfo test, String consistency) throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path payload = dir.resolve("codec-b.jlp");
    CodecApp.build(oldClasses, newClasses, "codec-b", payload);
    try (TargetJvm target = CodecApp.start(jdk, oldClasses, dir);
        AgentSession agent = new AgentSession(target.pid())) {
      assertThat(target.ask("roundtrip x")).isEqualTo("a|x");
      assertThat(target.ask("torture-start " + WORKERS)).isEqualTo("started");
      long started = System.nanoTime();
      long transitionMs = 0;
      for (int cycle = 0; cycle < CYCLES; cycle++) {
        Properties apply = agent.command(AgentSession.request("command", "apply", "payload", payload.toString(),
            "consistency", consistency));
        assertThat(apply.getProperty("exitCode")).as("apply %d: %s", cycle, apply).isEqualTo("0");
        transitionMs += Long.parseLong(apply.getProperty("transition.ms", "0"));
        Properties revert = agent.command(AgentSession.request("command", "revert", "id", "codec-b",
            "consistency", consistency));
        assertThat(revert.getProperty("exitCode")).as("revert %d: %s", cycle, revert).isEqualTo("0");
        transitionMs += Long.parseLong(revert.getProperty("transition.ms", "0"));
      }
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      Counts counts = Counts.parse(target.ask("torture-stop"));
      System.out.printf("[jlivepatch-it] %s torture %s: %d apply/revert cycles in %d ms (transitions %d ms, "
          + "%d pending answers awaited), %s%n", jdk, consistency, CYCLES, elapsedMs, transitionMs, agent.pendings(),
          counts);
      assertThat(counts.errors).as("%s", counts).isZero();
      // Both versions really ran while the workers worked.
      assertThat(counts.oldTrips).as("%s", counts).isPositive();
      assertThat(counts.newTrips).as("%s", counts).isPositive();
      assertThat(target.ask("roundtrip x")).isEqualTo("a|x");
      TargetJvm.assertAlive(target);
      return counts;
    }
  }

  /** The target's round-trip counts. */
  record Counts(long oldTrips, long newTrips, long mixed, long errors, String first) {
    static Counts parse(String answer) {
      Matcher m = COUNTS.matcher(answer);
      assertThat(m.matches()).as(answer).isTrue();
      return new Counts(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
          Long.parseLong(m.group(4)), m.group(5));
    }
  }
}
