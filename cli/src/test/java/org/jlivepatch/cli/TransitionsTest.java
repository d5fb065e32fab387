package org.jlivepatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.jlivepatch.cli.attach.AgentResult;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The CLI side of per-thread transitions without a JVM: options, polling, text and JSON forms. */
class TransitionsTest {

  private static final String RUNNING = """
      protocol=1
      exitCode=0
      pending=true
      command.id=7
      transition.state=running
      transition.command=apply
      transition.patch=fix-2
      transition.consistency=per-thread
      transition.elapsedMs=1200
      transition.timeoutMs=5000
      transition.threads=40
      transition.switched=36
      transition.virtualThreads=visible
      transition.straggler.0.name=worker-1
      transition.straggler.0.id=21
      transition.straggler.0.frame=demo.Codec.encode(Codec.java:12)
      transition.straggler.1.name=worker-2
      transition.straggler.1.frame=demo.Codec.encode(Codec.java:12)
      transition.straggler.2.name=worker-3
      transition.straggler.2.frame=demo.Codec.decode(Codec.java:30)
      transition.straggler.3.name=vt
      transition.straggler.3.virtual=true
      transition.straggler.3.frame=demo.Codec.decode(Codec.java:31)
      """;

  private static AgentResult result(String text) {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(text));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return AgentResult.parse(properties);
  }

  private static ConsistencyOptions options(String... args) {
    ApplyCommand apply = new ApplyCommand();
    new CommandLine(apply).parseArgs(args);
    return apply.consistency;
  }

  @Test
  void defaultsArePerThreadFiveSecondsNoForceAndTenSecondsForTheLock() {
    ConsistencyOptions options = options("123", "fix.jlp");
    Map<String, String> request = new LinkedHashMap<>();
    options.addTo(request);
    assertThat(request).containsExactly(Map.entry("consistency", "per-thread"), Map.entry("transitionTimeout", "5000"));
    assertThat(options.lockWait()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void optionsBecomeRequestKeys() {
    ConsistencyOptions options = options("123", "fix.jlp", "--consistency", "per-thread", "--timeout", "1500ms",
        "--force", "--wait", "2s");
    Map<String, String> request = new LinkedHashMap<>();
    options.addTo(request);
    assertThat(request).containsExactly(Map.entry("consistency", "per-thread"), Map.entry("transitionTimeout", "1500"),
        Map.entry("force", "true"));
    assertThat(options.lockWait()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void immediateSendsNoForce() {
    Map<String, String> request = new LinkedHashMap<>();
    options("123", "fix.jlp", "--consistency", "immediate").addTo(request);
    assertThat(request).containsExactly(Map.entry("consistency", "immediate"), Map.entry("transitionTimeout", "5000"));
    ConsistencyOptions forced = options("123", "fix.jlp", "--consistency", "immediate", "--force");
    assertThatThrownBy(() -> forced.addTo(new LinkedHashMap<>()))
        .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessage("--force applies to --consistency per-thread only: an immediate switch has no transition to force");
  }

  @Test
  void anUnknownModelIsAUsageError() {
    ConsistencyOptions options = options("123", "fix.jlp", "--consistency", "lazy");
    assertThatThrownBy(() -> options.addTo(new LinkedHashMap<>()))
        .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessage("unknown --consistency 'lazy': use per-thread (the default) or immediate");
  }

  @Test
  void pollsAwaitUntilAResultIsNotPendingAndPrintsProgressAtMostEverySecond() {
    AtomicLong clock = new AtomicLong();
    List<Map<String, String>> sent = new ArrayList<>();
    List<String> progress = new ArrayList<>();
    List<AgentResult> answers = new ArrayList<>(List.of(result(RUNNING), result(RUNNING), result(RUNNING),
        result("protocol=1\nexitCode=0\nmessage=applied patch fix-2\ntransition.state=completed\ntransition.ms=2400\n")));
    Transitions.Polled polled = Transitions.awaitFinal(result(RUNNING), request -> {
      sent.add(request);
      clock.addAndGet(Duration.ofMillis(600).toNanos()); // each await answers after 600 ms
      return answers.remove(0);
    }, progress::add, clock::get, Duration.ofMinutes(1), "apply of fix-2", 4711);

    assertThat(polled.result().message()).isEqualTo("applied patch fix-2");
    assertThat(polled.result().pending()).isFalse();
    assertThat(sent).hasSize(4).allSatisfy(request -> assertThat(request)
        .containsEntry("command", "await").containsEntry("command.id", "7").containsEntry("wait", "1000")
        .containsKey("user"));
    // polls at 0, 600, 1200, 1800 ms: lines at 0 and 1200 only
    assertThat(progress).containsExactly(
        "apply of fix-2: transition running 1.2s of 5s: 36/40 threads switched, 4 still in old code: "
            + "worker-1 at demo.Codec.encode(Codec.java:12), worker-2 at demo.Codec.encode(Codec.java:12), "
            + "worker-3 at demo.Codec.decode(Codec.java:30), and 1 more",
        "apply of fix-2: transition running 1.2s of 5s: 36/40 threads switched, 4 still in old code: "
            + "worker-1 at demo.Codec.encode(Codec.java:12), worker-2 at demo.Codec.encode(Codec.java:12), "
            + "worker-3 at demo.Codec.decode(Codec.java:30), and 1 more");
    // the final result names none: the last ones seen stand in
    assertThat(polled.stragglers()).extracting(AgentResult.Straggler::name).containsExactly("worker-1", "worker-2", "worker-3", "vt");
  }

  @Test
  void aResultThatIsNotPendingIsFinalWithoutAnyAwait() {
    AgentResult done = result("protocol=1\nexitCode=0\nmessage=applied\n");
    Transitions.Polled polled = Transitions.awaitFinal(done, request -> {
      throw new AssertionError("no await expected");
    }, line -> {
      throw new AssertionError("no progress expected");
    }, System::nanoTime, Duration.ofSeconds(1), "apply of x", 1);
    assertThat(polled.result()).isSameAs(done);
    assertThat(polled.stragglers()).isEmpty();
  }

  @Test
  void anAgentThatStaysPendingIsGivenUpOnAfterTheLimit() {
    AtomicLong clock = new AtomicLong();
    assertThatThrownBy(() -> Transitions.awaitFinal(result(RUNNING), request -> {
      clock.addAndGet(Duration.ofSeconds(1).toNanos());
      return result(RUNNING);
    }, line -> {}, clock::get, Duration.ofSeconds(65), "apply of fix-2", 4711))
        .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.FAILURE))
        .hasMessage("JVM 4711: apply of fix-2 still has a transition running after 65s; the agent ends it by itself "
            + "(completes or reverses it at its timeout): check 'jlivepatch status 4711'");
  }

  @Test
  void aPendingAnswerWithoutTheCommandsIdIsNotAwaited() {
    assertThatThrownBy(() -> Transitions.awaitFinal(result("protocol=1\nexitCode=0\npending=true\n"), request -> {
      throw new AssertionError("no await expected");
    }, line -> {}, System::nanoTime, Duration.ofSeconds(5), "apply of fix-2", 4711))
        .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.FAILURE))
        .hasMessage("JVM 4711: the agent answered apply of fix-2 as pending without the command's id; "
            + "is the agent the same version as this jlivepatch?");
  }

  @Test
  void reversingAndInvisibleVirtualThreadsAreSaid() {
    AgentResult reversing = result("protocol=1\nexitCode=0\npending=true\ntransition.state=reversing\n"
        + "transition.elapsedMs=5300\ntransition.timeoutMs=5000\ntransition.virtualThreads=invisible\n");
    assertThat(Transitions.progressLine(reversing.transition().orElseThrow()))
        .isEqualTo("reversing the transition 5.3s of 5s (virtual threads not visible)");
  }

  @Test
  void statusOfAFinishedTransitionSaysNoneIsInProgress() {
    AgentResult.Transition done = result("protocol=1\nexitCode=0\ntransition.state=reversed\ntransition.command=revert\n"
        + "transition.patch=fix-2\ntransition.ms=5012\n").transition().orElseThrow();
    assertThat(Transitions.statusLines(done))
        .containsExactly("no transition in progress (the last one, revert of fix-2, reversed in 5.0s)");
    AgentResult.Transition none = result("protocol=1\nexitCode=0\ntransition.state=none\n").transition().orElseThrow();
    assertThat(Transitions.statusLines(none)).containsExactly("no transition in progress");
  }

  @Test
  void jsonOfATransitionHasEveryKeyNullWhenNotSent() {
    Map<String, Object> json = Transitions.json(result(RUNNING).transition().orElseThrow());
    assertThat(json).containsOnlyKeys("state", "command", "patch", "consistency", "startedAt", "elapsedMs",
        "timeoutMs", "ms", "threads", "switched", "virtualThreads", "stragglers");
    assertThat(json).containsEntry("startedAt", null).containsEntry("ms", null).containsEntry("switched", 36L);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> stragglers = (List<Map<String, Object>>) json.get("stragglers");
    assertThat(stragglers.get(0)).containsExactly(Map.entry("name", "worker-1"), Map.entry("id", 21L),
        Map.entry("virtual", false), Map.entry("frame", "demo.Codec.encode(Codec.java:12)"), Map.entry("stack", List.of()));
    assertThat(stragglers.get(1)).containsEntry("id", null);
    assertThat(stragglers.get(3)).containsEntry("virtual", true);
    assertThat(Transitions.json(java.util.Optional.empty())).isNull();
  }

  @Test
  void durationsReadLikeTheOptions() {
    assertThat(Transitions.millis(850)).isEqualTo("850 ms");
    assertThat(Transitions.millis(5000)).isEqualTo("5s");
    assertThat(Transitions.millis(1250)).isEqualTo("1.3s");
  }
}
