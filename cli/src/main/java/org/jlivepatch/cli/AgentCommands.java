package org.jlivepatch.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.jlivepatch.cli.attach.AgentClient;
import org.jlivepatch.cli.attach.AgentJar;
import org.jlivepatch.cli.attach.AgentResult;
import org.jlivepatch.cli.attach.LocalJvm;
import org.jlivepatch.cli.attach.TargetResolver;

/** What the commands that talk to an agent share: finding the target, sending, printing results. */
final class AgentCommands {

  /** The system property the agent sets in the target once loaded: its version. */
  static final String AGENT_VERSION_PROPERTY = "jlivepatch.agent.version";
  /** The system property the agent sets in the target: the patch ids on the stack, bottom to top. */
  static final String STACK_PROPERTY = "jlivepatch.stack";

  private AgentCommands() {}

  /** The JVM a {@code PID} argument names. */
  static LocalJvm resolve(String pid) {
    return new TargetResolver().resolve(pid);
  }

  /** The OS user issuing the command, for the target's audit record. */
  static String user() {
    return System.getProperty("user.name", "");
  }

  /** Whether the jlivepatch agent is loaded in the JVM whose system properties these are. */
  static boolean agentLoaded(Properties systemProperties) {
    return systemProperties.getProperty(AGENT_VERSION_PROPERTY) != null;
  }

  /** Attaches to {@code jvm}, runs one request in its agent, detaches. */
  static AgentResult send(LocalJvm jvm, PrintWriter err, Map<String, String> request, AgentClient.Upload payload, Duration timeout) {
    Path agentJar = AgentJar.locate();
    AgentClient client = new AgentClient(Progress.to(err));
    try (AgentClient.Session session = client.attach(jvm, AgentClient.ATTACH_TIMEOUT)) {
      return session.send(agentJar, request, payload, timeout);
    }
  }

  /**
   * The exception for a result that is not a success: one line naming the JVM, the command, the
   * failed step and the agent's message; the result's exit code.
   */
  static CliException failure(LocalJvm jvm, String action, AgentResult result) {
    String outcome = switch (result.exitCode()) {
      case ExitCode.REFUSED -> "refused";
      case ExitCode.RETRY -> "not done, try again later";
      default -> "failed";
    };
    String step = result.step().map(s -> " at step '" + s + "'").orElse("");
    String message = result.message().isBlank() ? "(the agent gave no reason)" : result.message().strip();
    return new CliException(result.exitCode(), "JVM " + jvm.pid() + ": " + action + " " + outcome + step + ": " + oneLine(message));
  }

  /** The JSON object of a command's result. */
  static Map<String, Object> json(String command, LocalJvm jvm, AgentResult result) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("command", command);
    json.put("pid", jvm.pid());
    json.put("main", jvm.mainName());
    json.put("jdk", result.jdk());
    json.put("agentVersion", result.agentVersion());
    json.put("exitCode", result.exitCode());
    json.put("message", result.message());
    json.put("patchId", result.patchId().orElse(null));
    json.put("signer", result.patchSigner().orElse(null));
    json.put("classes", map(result.classes(), c -> ordered(
        "name", c.name(), "loader", c.loader(), "state", c.state())));
    json.put("stack", stackJson(result.stack()));
    return json;
  }

  static List<Map<String, Object>> stackJson(List<AgentResult.StackEntry> stack) {
    return map(stack, e -> ordered(
        "id", e.id(), "depends", e.depends().orElse(null), "appliedAt", e.appliedAt(), "user", e.user(),
        "signer", e.signer().orElse(null), "classes", e.classes(), "pending", e.pending()));
  }

  static List<Map<String, Object>> auditJson(List<AgentResult.AuditEvent> audit) {
    return map(audit, e -> ordered(
        "time", e.time(), "user", e.user(), "action", e.action(), "id", e.id().orElse(null),
        "result", e.result(), "message", e.message()));
  }

  /** Prints the per-class lines of a result: state, class, loader. */
  static void printClasses(PrintWriter out, AgentResult result) {
    int width = result.classes().stream().mapToInt(c -> c.name().length()).max().orElse(0);
    for (AgentResult.ClassState c : result.classes()) {
      String line = String.format("  %-8s %-" + width + "s  %s", c.state(), c.name(),
          c.loader().isBlank() ? "" : "loader " + c.loader());
      out.println(line.stripTrailing());
    }
  }

  /** {@code JVM pid (main), JDK x}: how results name their target. */
  static String header(LocalJvm jvm, AgentResult result) {
    return "JVM " + jvm.describe() + (result.jdk().isBlank() ? "" : ", JDK " + result.jdk());
  }

  static String oneLine(String text) {
    return text.replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }

  private static <T> List<Map<String, Object>> map(List<T> items, Function<T, Map<String, Object>> toJson) {
    List<Map<String, Object>> json = new ArrayList<>();
    items.forEach(item -> json.add(toJson.apply(item)));
    return json;
  }

  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}
