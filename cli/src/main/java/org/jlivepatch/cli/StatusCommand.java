package org.jlivepatch.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.jlivepatch.cli.attach.AgentClient;
import org.jlivepatch.cli.attach.AgentJar;
import org.jlivepatch.cli.attach.AgentResult;
import org.jlivepatch.cli.attach.LocalJvm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jlivepatch status PID}: the per-thread transition running in a JVM, and its stragglers. */
@Command(
    name = "status",
    description = {
      "Show the transition running in a JVM: its progress and every thread still in old code, with its stack.",
      "The agent answers without waiting for a command in progress. A JVM without the jlivepatch agent "
          + "is reported as such; no agent is loaded to find out."
    })
public final class StatusCommand implements Callable<Integer> {

  /** A transition with no key but its state. */
  private static final AgentResult.Transition NONE = new AgentResult.Transition("none", "", "", "", "",
      OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
      "", List.of());

  @Spec CommandSpec spec;

  @Mixin JsonMixin json;

  @Parameters(index = "0", paramLabel = "PID", description = "The target JVM: a pid, or a unique part of its main class or jar name.")
  String pid;

  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
      description = "How long the target may keep this request queued behind another attach operation "
          + "(default: ${DEFAULT-VALUE}).")
  Duration wait;

  @Override
  public Integer call() {
    LocalJvm jvm = AgentCommands.resolve(pid);
    AgentResult result = null;
    String jdk;
    try (AgentClient.Session session = new AgentClient(Progress.to(spec.commandLine().getErr()))
        .attach(jvm, AgentClient.ATTACH_TIMEOUT)) {
      Properties properties = session.systemProperties(wait);
      jdk = properties.getProperty("java.runtime.version", properties.getProperty("java.version", ""));
      if (AgentCommands.agentLoaded(properties)) {
        Map<String, String> request = new LinkedHashMap<>();
        request.put("command", "status");
        request.put("user", AgentCommands.user());
        result = session.send(AgentJar.locate(), request, null, wait);
      }
    }
    if (result != null && !result.succeeded()) {
      throw AgentCommands.failure(jvm, "status", result);
    }
    if (json.enabled()) {
      JsonOutput.print(spec.commandLine().getOut(), json(jvm, jdk, result));
    } else {
      print(spec.commandLine().getOut(), jvm, jdk, result);
    }
    return ExitCode.OK;
  }

  /** The JSON object: the target, the transition (state {@code none} when there is none) and the stack ids. */
  static Map<String, Object> json(LocalJvm jvm, String jdk, AgentResult result) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("command", "status");
    object.put("pid", jvm.pid());
    object.put("main", jvm.mainName());
    object.put("jdk", result == null || result.jdk().isBlank() ? jdk : result.jdk());
    object.put("agentLoaded", result != null);
    object.put("agentVersion", result == null ? null : result.agentVersion());
    object.put("transition", Transitions.json(transition(result)));
    object.put("stack", result == null ? List.of() : result.stack().stream().map(AgentResult.StackEntry::id).toList());
    return object;
  }

  /** The text form: a header, the transition and its stragglers with their stacks, the stack ids. */
  static void print(PrintWriter out, LocalJvm jvm, String jdk, AgentResult result) {
    String header = "JVM " + jvm.describe() + (jdk.isBlank() ? "" : ", JDK " + jdk);
    if (result == null) {
      out.println(header + ": no jlivepatch agent loaded; no transition in progress");
      out.flush();
      return;
    }
    out.println(header + ", agent " + result.agentVersion());
    Transitions.statusLines(transition(result)).forEach(out::println);
    out.println("patch stack: " + (result.stack().isEmpty() ? "empty"
        : String.join(", ", result.stack().stream().map(AgentResult.StackEntry::id).toList())));
    out.flush();
  }

  private static AgentResult.Transition transition(AgentResult result) {
    return result == null ? NONE : result.transition().orElse(NONE);
  }
}
