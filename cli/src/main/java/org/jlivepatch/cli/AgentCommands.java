package org.jlivepatch.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  /**
   * The exception for a result that is not a success: one line naming the JVM, the command, the
   * failed step and the agent's message; the result's exit code.
   */
  static CliException failure(LocalJvm jvm, String action, AgentResult result) {
    return failure(jvm, action, result, List.of());
  }

  /**
   * {@link #failure(LocalJvm, String, AgentResult)} for a command that ran a transition: the threads
   * that held it up follow the line on standard error, and the JSON error object carries the
   * {@code transition}.
   *
   * @param stragglers the stragglers to name when the result itself names none (the last ones seen
   *     while polling)
   */
  static CliException failure(LocalJvm jvm, String action, AgentResult result, List<AgentResult.Straggler> stragglers) {
    String outcome = switch (result.exitCode()) {
      case ExitCode.USAGE -> "not supported by this agent";
      case ExitCode.REFUSED -> "refused";
      case ExitCode.RETRY -> "not done, try again later";
      default -> "failed";
    };
    String step = result.step().map(s -> " at step '" + s + "'").orElse("");
    String message = result.message().isBlank() ? "(the agent gave no reason)" : result.message().strip();
    String line = "JVM " + jvm.pid() + ": " + action + " " + outcome + step + ": " + oneLine(message);
    Optional<AgentResult.Transition> transition = result.transition();
    if (transition.isEmpty() && stragglers.isEmpty()) {
      return new CliException(result.exitCode(), line);
    }
    List<AgentResult.Straggler> named = transition.map(AgentResult.Transition::stragglers)
        .filter(s -> !s.isEmpty()).orElse(stragglers);
    List<String> details = new ArrayList<>();
    if (!named.isEmpty()) {
      details.add("  threads still in old code" + (result.step().orElse("").equals("consistency") ? " at the timeout:" : ":"));
      details.addAll(Transitions.stragglerLines(named, "    "));
    }
    Map<String, Object> transitionJson = transition.map(Transitions::json).orElseGet(LinkedHashMap::new);
    transitionJson.put("stragglers", Transitions.stragglersJson(named));
    return new CliException(result.exitCode(), line, details, Map.of("transition", transitionJson));
  }

  /**
   * Sends a command that may start a per-thread transition and, while its answer is pending,
   * polls the agent with {@code await} in the same session, printing progress to {@code err}
   * (at a terminal).
   */
  static Transitions.Polled sendAndAwait(AgentClient.Session session, Path agentJar, Map<String, String> request,
      AgentClient.Upload payload, ConsistencyOptions options, PrintWriter err, String action) {
    AgentResult first = session.send(agentJar, request, payload, options.lockWait());
    return Transitions.awaitFinal(first, await -> session.send(agentJar, await, null, options.lockWait()),
        Progress.to(err), System::nanoTime, options.transitionTimeout().plus(AgentClient.ANSWER_GRACE),
        action, session.jvm().pid());
  }

  /**
   * Prints the final result of {@code apply}, {@code revert} or {@code replace} and returns its exit
   * code: the result line, the classes and the transition, or the JSON object; after a forced
   * transition, a warning naming the threads that were still in old code.
   *
   * @throws CliException when the result is not a success
   */
  static int report(PrintWriter out, PrintWriter err, boolean json, LocalJvm jvm, String command, String action,
      Transitions.Polled polled, String doneMessage) {
    AgentResult result = polled.result();
    if (!result.succeeded()) {
      throw failure(jvm, action, result, polled.stragglers());
    }
    Optional<AgentResult.Transition> transition = result.transition();
    if (transition.isPresent() && (transition.get().state().equals("forced") || !transition.get().stragglers().isEmpty())) {
      err.println("jlivepatch: " + Transitions.forcedWarning(action, polled.stragglers()));
      err.flush();
    }
    if (json) {
      Map<String, Object> object = json(command, jvm, result);
      object.put("transition", Transitions.json(transition));
      JsonOutput.print(out, object);
    } else {
      out.println(header(jvm, result) + ": " + oneLine(result.message().isBlank() ? doneMessage : result.message().strip()));
      transition.ifPresent(t -> out.println("  " + transitionSummary(t)));
      printClasses(out, result);
      out.flush();
    }
    return result.exitCode();
  }

  /** {@code per-thread transition completed in 120 ms, 40 threads switched}. */
  static String transitionSummary(AgentResult.Transition t) {
    StringBuilder line = new StringBuilder(t.consistency().isBlank() ? "transition" : t.consistency() + " transition");
    if (!t.state().equals("none")) { // a final result without transition.state
      line.append(' ').append(t.state());
    }
    t.ms().ifPresent(ms -> line.append(" in ").append(Transitions.millis(ms)));
    if (t.switched().isPresent()) {
      line.append(", ").append(t.switched().getAsLong())
          .append(t.threads().isPresent() ? " of " + t.threads().getAsLong() : "").append(" threads switched");
    }
    if (!t.stragglers().isEmpty()) {
      line.append(", ").append(t.stragglers().size()).append(" still in old code");
    }
    return line.toString();
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
