package org.jlivepatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.jlivepatch.cli.attach.AgentJar;
import org.jlivepatch.core.payload.PayloadFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that talk to a JVM, run in-process against forked JVMs. Where an agent is needed,
 * {@link FakeAgent} answers, so that the CLI side of the protocol is tested on its own.
 */
class AttachCommandsTest {

  /** Beyond Linux's largest pid_max (2^22): no process ever has it. */
  private static final String NO_SUCH_PID = "999999999";

  @TempDir Path dir;

  private Path payload;
  private Path agentLog;

  /** What one run of the CLI printed and returned. */
  record Run(int exitCode, String out, String err) {
    JsonObject json() {
      return JsonParser.parseString(out).getAsJsonObject();
    }

    /** Standard error is exactly one {@code jlivepatch: ...} line. */
    String errorLine() {
      assertThat(err.lines().toList()).hasSize(1);
      assertThat(err).startsWith("jlivepatch: ");
      return err.strip();
    }
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode = JLivePatch.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  @BeforeEach
  void writeFixtures() throws IOException {
    payload = Files.write(dir.resolve("fix-1.jlp"), PayloadFixtures.unsigned());
    agentLog = dir.resolve("agent.log");
    System.setProperty(AgentJar.PROPERTY, FakeAgent.write(dir.resolve("fake-agent.jar")).toString());
  }

  @AfterEach
  void clearAgent() {
    System.clearProperty(AgentJar.PROPERTY);
  }

  private ChildJvm child(String... options) throws IOException {
    return ChildJvm.start(dir.resolve("classes"), ChildJvm.uniqueMainClass(), options);
  }

  private String[] fakeAgentOptions(String mode) {
    return new String[] {"-Dfake.mode=" + mode, "-Dfake.log=" + agentLog};
  }

  @Test
  void jvmsListsAForkedJvmWithItsJdkAndNoAgent() throws IOException {
    try (ChildJvm child = child()) {
      Run run = run("jvms", "--json");
      assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
      JsonObject jvm = find(run.json().getAsJsonArray("jvms"), child.pid());
      assertThat(jvm.get("main").getAsString()).isEqualTo(child.mainClass());
      assertThat(jvm.get("jdk").getAsString()).isEqualTo(System.getProperty("java.version"));
      assertThat(jvm.get("attachable").getAsBoolean()).isTrue();
      assertThat(jvm.get("agentLoaded").getAsBoolean()).isFalse();
      assertThat(jvm.get("stack").getAsJsonArray()).isEmpty();
      assertThat(jvm.get("error").isJsonNull()).isTrue();
      assertThat(run.json().getAsJsonArray("jvms").asList())
          .noneMatch(e -> e.getAsJsonObject().get("pid").getAsLong() == ProcessHandle.current().pid());

      Run text = run("jvms");
      assertThat(text.out().lines()).anyMatch(line -> line.startsWith(child.pid() + " ")
          && line.contains(System.getProperty("java.version")) && line.endsWith(child.mainClass()));
    }
  }

  @Test
  void jvmsListsAJvmThatRefusesAttachWithTheReason() throws IOException {
    try (ChildJvm child = child("-XX:+DisableAttachMechanism")) {
      JsonObject jvm = find(run("jvms", "--json").json().getAsJsonArray("jvms"), child.pid());
      assertThat(jvm.get("main").getAsString()).isEqualTo(child.mainClass());
      assertThat(jvm.get("attachable").getAsBoolean()).isFalse();
      assertThat(jvm.get("jdk").isJsonNull()).isTrue();
      assertThat(jvm.get("error").getAsString()).contains("DisableAttachMechanism");

      Run apply = run("apply", Long.toString(child.pid()), payload.toString());
      assertThat(apply.exitCode()).isEqualTo(ExitCode.FAILURE);
      assertThat(apply.errorLine()).contains("JVM " + child.pid()).contains("does not accept attach");
    }
  }

  @Test
  void applySendsTheRequestAndPrintsEveryClass() throws IOException {
    try (ChildJvm child = child(fakeAgentOptions("ok"))) {
      Run run = run("apply", child.mainClass(), payload.toString(), "--wait", "3s", "--timeout", "2s");
      assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
      assertThat(run.err()).isEmpty();
      assertThat(run.out()).contains("JVM " + child.pid() + " (" + child.mainClass() + "), JDK ")
          .contains("applied patch fix-1");
      assertThat(run.out().lines()).anyMatch(l -> l.matches("\\s+applied\\s+demo\\.Greeter\\s+loader app"));
      assertThat(run.out().lines()).anyMatch(l -> l.matches("\\s+pending\\s+demo\\.util\\.Check\\s*"));

      String request = Files.readString(agentLog);
      assertThat(request).contains("command=apply;", "consistency=per-thread;", "protocol=1;", "timeout=3000;",
          "transitionTimeout=2000;", "user=" + System.getProperty("user.name") + ";", "payloadReadable=true");
      assertThat(request).doesNotContain("force=");
      String sentPayload = request.replaceAll("(?s).*payload=([^;]*);.*", "$1");
      assertThat(Path.of(sentPayload).getFileName().toString()).isEqualTo("fix-1.jlp");
      assertThat(Path.of(sentPayload).getParent()).doesNotExist(); // the private directory is removed

      // the agent's system properties are now visible without loading anything
      JsonObject jvm = find(run("jvms", "--json").json().getAsJsonArray("jvms"), child.pid());
      assertThat(jvm.get("agentVersion").getAsString()).isEqualTo("0.0-fake");
      assertThat(jvm.get("stack").getAsJsonArray().asList()).map(JsonElement::getAsString).containsExactly("fix-1");
    }
  }

  @Test
  void applyJsonIsOneObjectWithClassesAndStack() throws IOException {
    try (ChildJvm child = child(fakeAgentOptions("ok"))) {
      Run run = run("apply", Long.toString(child.pid()), payload.toString(), "--json");
      assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
      JsonObject json = run.json();
      assertThat(json.get("command").getAsString()).isEqualTo("apply");
      assertThat(json.get("pid").getAsLong()).isEqualTo(child.pid());
      assertThat(json.get("exitCode").getAsInt()).isZero();
      assertThat(json.get("patchId").getAsString()).isEqualTo("fix-1");
      assertThat(json.getAsJsonArray("classes")).hasSize(2);
      assertThat(json.getAsJsonArray("classes").get(1).getAsJsonObject().get("state").getAsString()).isEqualTo("pending");
      assertThat(json.getAsJsonArray("stack").get(0).getAsJsonObject().get("pending").getAsJsonArray().get(0).getAsString())
          .isEqualTo("demo.util.Check");
    }
  }

  @Test
  void agentRefusalKeepsItsExitCodeAndNamesTheUsersFile() throws IOException {
    try (ChildJvm child = child(fakeAgentOptions("refuse"))) {
      Run run = run("apply", Long.toString(child.pid()), payload.toString());
      assertThat(run.exitCode()).isEqualTo(ExitCode.REFUSED);
      assertThat(run.out()).isEmpty();
      assertThat(run.errorLine()).isEqualTo("jlivepatch: JVM " + child.pid() + ": apply of fix-1 refused at step 'expectation': "
          + "demo.Greeter.greet(Ljava/lang/String;)Ljava/lang/String; from payload " + payload
          + " was built against other bytecode than what runs");

      Run json = run("apply", Long.toString(child.pid()), payload.toString(), "--json");
      assertThat(json.exitCode()).isEqualTo(ExitCode.REFUSED);
      assertThat(json.json().get("exitCode").getAsInt()).isEqualTo(ExitCode.REFUSED);
      assertThat(json.json().get("error").getAsString()).contains("refused at step 'expectation'");
    }
  }

  @Test
  void targetExitingMidCommandIsOneLine() throws IOException {
    try (ChildJvm child = child(fakeAgentOptions("halt"))) {
      Run run = run("apply", Long.toString(child.pid()), payload.toString());
      assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
      assertThat(run.errorLine()).startsWith("jlivepatch: target JVM " + child.pid() + " exited during the command;");
    }
  }

  @Test
  void agentWithoutResultIsOneLine() throws IOException {
    try (ChildJvm child = child(fakeAgentOptions("silent"))) {
      Run run = run("list", Long.toString(child.pid()));
      assertThat(run.exitCode()).isEqualTo(ExitCode.OK); // no agent loaded: nothing to ask
      Run apply = run("apply", Long.toString(child.pid()), payload.toString());
      assertThat(apply.exitCode()).isEqualTo(ExitCode.FAILURE);
      assertThat(apply.errorLine()).contains("returned without a result");
      assertThat(child.isAlive()).isTrue();
    }
  }

  @Test
  void listAndRevertOfAJvmWithoutAgentLoadNothing() throws IOException {
    try (ChildJvm child = child(fakeAgentOptions("ok"))) {
      Run list = run("list", Long.toString(child.pid()));
      assertThat(list.exitCode()).isEqualTo(ExitCode.OK);
      assertThat(list.out()).contains("no jlivepatch agent loaded");
      Run listJson = run("list", Long.toString(child.pid()), "--json");
      assertThat(listJson.json().get("agentLoaded").getAsBoolean()).isFalse();
      assertThat(listJson.json().get("stack").getAsJsonArray()).isEmpty();

      Run revert = run("revert", Long.toString(child.pid()), "fix-1");
      assertThat(revert.exitCode()).isEqualTo(ExitCode.REFUSED);
      assertThat(revert.errorLine()).contains("patch fix-1 is not applied");
      assertThat(agentLog).doesNotExist(); // the agent was never loaded
    }
  }

  @Test
  void listShowsStackAndAuditOnceTheAgentIsLoaded() throws IOException {
    try (ChildJvm child = child(fakeAgentOptions("ok"))) {
      assertThat(run("apply", Long.toString(child.pid()), payload.toString()).exitCode()).isZero();
      Run list = run("list", Long.toString(child.pid()));
      assertThat(list.exitCode()).as(list.err()).isEqualTo(ExitCode.OK);
      assertThat(list.out()).contains("patch stack, bottom to top:", "fix-1  applied 2026-01-02T03:04:05Z by tester, unsigned",
          "classes: demo.Greeter", "pending (not loaded yet): demo.util.Check", "audit log, oldest first:");
      JsonObject json = run("list", Long.toString(child.pid()), "--json").json();
      assertThat(json.get("agentLoaded").getAsBoolean()).isTrue();
      assertThat(json.getAsJsonArray("stack").get(0).getAsJsonObject().get("id").getAsString()).isEqualTo("fix-1");
      assertThat(json.getAsJsonArray("audit").get(0).getAsJsonObject().get("action").getAsString()).isEqualTo("apply");
    }
  }

  @Test
  void perThreadApplyPollsAwaitUntilTheFinalResult() throws IOException {
    try (ChildJvm child = child(fakeAgentOptions("per-thread"))) {
      Run run = run("apply", Long.toString(child.pid()), payload.toString());
      assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
      assertThat(run.err()).isEmpty(); // progress lines only at a terminal
      assertThat(run.out()).contains("applied patch fix-1")
          .contains("  per-thread transition completed in 2.4s, 12 of 12 threads switched");
      assertThat(run.out().lines()).anyMatch(l -> l.matches("\\s+applied\\s+demo\\.Codec\\s+loader app"));

      List<String> requests = Files.readAllLines(agentLog);
      assertThat(requests).hasSize(4);
      assertThat(requests.get(0)).contains("command=apply;", "consistency=per-thread;", "transitionTimeout=5000;", "timeout=10000;");
      for (String await : requests.subList(1, 4)) {
        assertThat(await).contains("command=await;", "command.id=3;", "wait=1000;", "protocol=1;", "timeout=10000;", "payloadReadable=false")
            .doesNotContain("payload=");
      }

      JsonObject json = run("apply", Long.toString(child.pid()), payload.toString(), "--json").json();
      assertThat(json.get("exitCode").getAsInt()).isZero();
      JsonObject transition = json.getAsJsonObject("transition");
      assertThat(transition.get("state").getAsString()).isEqualTo("completed");
      assertThat(transition.get("ms").getAsLong()).isEqualTo(2400);
      assertThat(transition.get("switched").getAsLong()).isEqualTo(12);
      assertThat(transition.getAsJsonArray("stragglers")).isEmpty();
    }
  }

  @Test
  void consistencyTimeoutExitsFourAndNamesTheStragglers() throws IOException {
    try (ChildJvm child = child(fakeAgentOptions("per-thread"))) {
      Run run = run("apply", Long.toString(child.pid()), payload.toString(), "--timeout", "500ms");
      assertThat(run.exitCode()).isEqualTo(ExitCode.RETRY);
      assertThat(run.out()).isEmpty();
      assertThat(run.err().lines().toList()).containsExactly(
          "jlivepatch: JVM " + child.pid() + ": apply of fix-1 not done, try again later at step 'consistency': "
              + "1 thread(s) still in old code after 500 ms: worker-2; transition reversed, nothing changed",
          "  threads still in old code at the timeout:",
          "    worker-2 (id 31) at demo.Codec.encode(Codec.java:12)");
      assertThat(Files.readString(agentLog)).contains("transitionTimeout=500;");

      Run json = run("apply", Long.toString(child.pid()), payload.toString(), "--timeout", "500ms", "--json");
      assertThat(json.exitCode()).isEqualTo(ExitCode.RETRY);
      assertThat(json.json().get("exitCode").getAsInt()).isEqualTo(ExitCode.RETRY);
      assertThat(json.json().get("error").getAsString()).contains("at step 'consistency'");
      JsonObject transition = json.json().getAsJsonObject("transition");
      assertThat(transition.get("state").getAsString()).isEqualTo("reversed");
      JsonObject straggler = transition.getAsJsonArray("stragglers").get(0).getAsJsonObject();
      assertThat(straggler.get("name").getAsString()).isEqualTo("worker-2");
      assertThat(straggler.get("id").getAsLong()).isEqualTo(31);
      assertThat(straggler.get("virtual").getAsBoolean()).isFalse();
      assertThat(straggler.get("frame").getAsString()).isEqualTo("demo.Codec.encode(Codec.java:12)");
    }
  }

  @Test
  void forcedTransitionWarnsAndNamesTheRisk() throws IOException {
    try (ChildJvm child = child(fakeAgentOptions("per-thread"))) {
      Run run = run("apply", Long.toString(child.pid()), payload.toString(), "--force", "--json");
      assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
      assertThat(Files.readString(agentLog)).contains("force=true;");
      assertThat(run.err().lines().toList()).containsExactly("jlivepatch: warning: apply of fix-1 was forced with 1 thread(s) "
          + "still in old code: worker-2 (id 31) at demo.Codec.encode(Codec.java:12); until those frames return, these "
          + "threads may mix old and new versions of the patch's methods in one call chain");
      JsonObject transition = run.json().getAsJsonObject("transition");
      assertThat(transition.get("state").getAsString()).isEqualTo("forced");
      assertThat(transition.getAsJsonArray("stragglers")).hasSize(1);
    }
  }

  @Test
  void statusShowsTheTransitionItsStragglersAndTheirStacks() throws IOException {
    try (ChildJvm child = child(fakeAgentOptions("per-thread"))) {
      Run none = run("status", Long.toString(child.pid()));
      assertThat(none.exitCode()).as(none.err()).isEqualTo(ExitCode.OK);
      assertThat(none.out()).contains("no jlivepatch agent loaded; no transition in progress");
      assertThat(agentLog).doesNotExist(); // nothing loaded to find out
      JsonObject noneJson = run("status", Long.toString(child.pid()), "--json").json();
      assertThat(noneJson.get("agentLoaded").getAsBoolean()).isFalse();
      assertThat(noneJson.getAsJsonObject("transition").get("state").getAsString()).isEqualTo("none");

      assertThat(run("apply", Long.toString(child.pid()), payload.toString()).exitCode()).isZero();
      Run status = run("status", Long.toString(child.pid()));
      assertThat(status.exitCode()).as(status.err()).isEqualTo(ExitCode.OK);
      assertThat(status.err()).isEmpty();
      List<String> lines = status.out().lines().toList();
      assertThat(lines.get(0)).startsWith("JVM " + child.pid() + " (" + child.mainClass() + "), JDK ").endsWith(", agent 0.0-fake");
      assertThat(lines.subList(1, lines.size())).containsExactly(
          "transition: apply of fix-1 (per-thread), running 1.2s of 5s, started 2026-01-02T03:04:05Z",
          "threads: 10 of 12 switched; virtual threads: visible, counted",
          "still in old code (2):",
          "  worker-2 (id 31) at demo.Codec.encode(Codec.java:12)",
          "      at demo.Codec.encode(Codec.java:12)",
          "      at demo.Caller.roundTrip(Caller.java:8)",
          "      at java.lang.Thread.run(Thread.java:840)",
          "  (unnamed) (id 57, virtual) at demo.Codec.decode(Codec.java:30)",
          "      at demo.Codec.decode(Codec.java:30)",
          "      at java.lang.VirtualThread.run(VirtualThread.java:309)",
          "patch stack: fix-0, fix-1");
      assertThat(Files.readAllLines(agentLog).get(Files.readAllLines(agentLog).size() - 1)).contains("command=status;");

      JsonObject json = run("status", Long.toString(child.pid()), "--json").json();
      assertThat(json.get("command").getAsString()).isEqualTo("status");
      assertThat(json.get("agentLoaded").getAsBoolean()).isTrue();
      assertThat(json.getAsJsonArray("stack").asList()).map(JsonElement::getAsString).containsExactly("fix-0", "fix-1");
      JsonObject transition = json.getAsJsonObject("transition");
      assertThat(transition.get("state").getAsString()).isEqualTo("running");
      assertThat(transition.get("elapsedMs").getAsLong()).isEqualTo(1200);
      assertThat(transition.get("timeoutMs").getAsLong()).isEqualTo(5000);
      assertThat(transition.get("threads").getAsLong()).isEqualTo(12);
      assertThat(transition.get("virtualThreads").getAsString()).isEqualTo("visible");
      JsonObject virtual = transition.getAsJsonArray("stragglers").get(1).getAsJsonObject();
      assertThat(virtual.get("virtual").getAsBoolean()).isTrue();
      assertThat(virtual.getAsJsonArray("stack").asList()).map(JsonElement::getAsString)
          .containsExactly("demo.Codec.decode(Codec.java:30)", "java.lang.VirtualThread.run(VirtualThread.java:309)");
    }
  }

  @Test
  void ambiguousNameIsAUsageError() throws IOException {
    String main = ChildJvm.uniqueMainClass();
    try (ChildJvm a = ChildJvm.start(dir.resolve("a"), main); ChildJvm b = ChildJvm.start(dir.resolve("b"), main)) {
      Run run = run("apply", main, payload.toString(), "--json");
      assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
      assertThat(run.errorLine()).contains("matches 2 JVMs").contains(Long.toString(a.pid())).contains(Long.toString(b.pid()));
      assertThat(run.json().get("exitCode").getAsInt()).isEqualTo(ExitCode.USAGE);
    }
  }

  @Test
  void unknownPidIsOneLineAndExitOne() {
    Run run = run("apply", NO_SUCH_PID, payload.toString());
    assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(run.errorLine()).isEqualTo("jlivepatch: no JVM with pid " + NO_SUCH_PID + " (see 'jlivepatch jvms')");
    Run list = run("list", NO_SUCH_PID, "--json");
    assertThat(list.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(list.json().get("error").getAsString()).isEqualTo("no JVM with pid " + NO_SUCH_PID + " (see 'jlivepatch jvms')");
  }

  @Test
  void missingPayloadIsCheckedBeforeAnyAttach() {
    Run run = run("apply", NO_SUCH_PID, dir.resolve("missing.jlp").toString());
    assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(run.errorLine()).isEqualTo("jlivepatch: payload " + dir.resolve("missing.jlp") + " does not exist");
  }

  @Test
  void corruptOrTamperedPayloadIsRefusedBeforeAnyAttach() throws IOException {
    Path garbage = Files.writeString(dir.resolve("garbage.jlp"), "not a payload");
    Run run = run("apply", NO_SUCH_PID, garbage.toString());
    assertThat(run.exitCode()).isEqualTo(ExitCode.REFUSED);
    assertThat(run.errorLine()).startsWith("jlivepatch: payload " + garbage + " refused: ");

    byte[] bytes = PayloadFixtures.unsigned();
    byte[] tampered = bytes.clone();
    tampered[tampered.length / 2] ^= 0x55;
    Path bad = Files.write(dir.resolve("tampered.jlp"), tampered);
    Run replace = run("replace", NO_SUCH_PID, bad.toString(), "--json");
    assertThat(replace.exitCode()).isEqualTo(ExitCode.REFUSED);
    assertThat(replace.json().get("error").getAsString()).startsWith("payload " + bad + " refused: ");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run("apply").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run("apply", "123").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run("revert", "123").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run("list").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run("jvms", "extra").exitCode()).isEqualTo(ExitCode.USAGE);

    Run timeout = run("apply", NO_SUCH_PID, payload.toString(), "--timeout", "soon");
    assertThat(timeout.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(timeout.err()).contains("'soon' is not a duration");

    for (String command : List.of("apply", "replace")) {
      Run consistency = run(command, NO_SUCH_PID, payload.toString(), "--consistency", "sometimes", "--json");
      assertThat(consistency.exitCode()).isEqualTo(ExitCode.USAGE);
      assertThat(consistency.errorLine())
          .isEqualTo("jlivepatch: unknown --consistency 'sometimes': use per-thread (the default) or immediate");
    }
    Run revertConsistency = run("revert", NO_SUCH_PID, "fix-1", "--consistency", "Immediate");
    assertThat(revertConsistency.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(revertConsistency.errorLine()).contains("unknown --consistency 'Immediate'");
    assertThat(run("apply", NO_SUCH_PID, payload.toString(), "--wait", "never").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run("status").exitCode()).isEqualTo(ExitCode.USAGE);

    Run badId = run("revert", NO_SUCH_PID, "../etc", "--json");
    assertThat(badId.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(badId.json().get("error").getAsString()).isEqualTo("'../etc' is not a patch id (see 'jlivepatch list PID')");
  }

  @Test
  void jdk25TargetIsListedAndPatchedThroughTheSameProtocol() throws IOException {
    assumeTrue(Files.isExecutable(ChildJvm.JDK25.resolve("bin/java")), "JDK 25 not installed");
    try (ChildJvm child = ChildJvm.start(ChildJvm.JDK25, dir.resolve("classes"), ChildJvm.uniqueMainClass(),
        fakeAgentOptions("ok"))) {
      JsonObject jvm = find(run("jvms", "--json").json().getAsJsonArray("jvms"), child.pid());
      assertThat(jvm.get("jdk").getAsString()).startsWith("25");
      Run run = run("apply", Long.toString(child.pid()), payload.toString());
      assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
      assertThat(run.out()).contains("JDK 25");
    }
  }

  @Test
  void jdk25TargetThatForbidsDynamicAgentsSaysHowToAllowThem() throws IOException {
    assumeTrue(Files.isExecutable(ChildJvm.JDK25.resolve("bin/java")), "JDK 25 not installed");
    try (ChildJvm child = ChildJvm.start(ChildJvm.JDK25, dir.resolve("classes"), ChildJvm.uniqueMainClass(),
        "-XX:-EnableDynamicAgentLoading")) {
      Run run = run("apply", Long.toString(child.pid()), payload.toString());
      assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
      assertThat(run.errorLine()).contains("-XX:+EnableDynamicAgentLoading").contains("-javaagent:");
    }
  }

  private static JsonObject find(JsonArray jvms, long pid) {
    List<JsonObject> matches = StreamSupport.stream(jvms.spliterator(), false)
        .map(JsonElement::getAsJsonObject)
        .filter(jvm -> jvm.get("pid").getAsLong() == pid)
        .toList();
    assertThat(matches).as("jvms lists pid %d: %s", pid, jvms).hasSize(1);
    return matches.get(0);
  }
}
