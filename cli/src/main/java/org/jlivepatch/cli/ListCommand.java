package org.jlivepatch.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

/** {@code jlivepatch list PID}: a JVM's patch stack and audit log. */
@Command(
    name = "list",
    description = {
      "Show the patch stack of a running JVM, bottom to top (when, by whom, signer, classes, "
          + "classes not loaded yet), then its audit log.",
      "A JVM without the jlivepatch agent is reported as unpatched; no agent is loaded to find out."
    })
public final class ListCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin JsonMixin json;

  @Parameters(index = "0", paramLabel = "PID", description = "The target JVM: a pid, or a unique part of its main class or jar name.")
  String pid;

  // --timeout is the name this option had first; apply's --timeout is now the transition timeout.
  @Option(names = {"--wait", "--timeout"}, paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
      description = "How long the agent may wait for a concurrent command to finish (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() {
    LocalJvm jvm = AgentCommands.resolve(pid);
    AgentResult result = null;
    String jdk;
    try (AgentClient.Session session = new AgentClient(Progress.to(spec.commandLine().getErr()))
        .attach(jvm, AgentClient.ATTACH_TIMEOUT)) {
      Properties properties = session.systemProperties(timeout);
      jdk = properties.getProperty("java.runtime.version", properties.getProperty("java.version", ""));
      if (AgentCommands.agentLoaded(properties)) {
        Map<String, String> request = new LinkedHashMap<>();
        request.put("command", "list");
        request.put("user", AgentCommands.user());
        result = session.send(AgentJar.locate(), request, null, timeout);
      }
    }
    if (result != null && !result.succeeded()) {
      throw AgentCommands.failure(jvm, "list", result);
    }
    if (json.enabled()) {
      Map<String, Object> object = new LinkedHashMap<>();
      object.put("command", "list");
      object.put("pid", jvm.pid());
      object.put("main", jvm.mainName());
      object.put("jdk", result == null || result.jdk().isBlank() ? jdk : result.jdk());
      object.put("agentLoaded", result != null);
      object.put("agentVersion", result == null ? null : result.agentVersion());
      object.put("stack", result == null ? List.of() : AgentCommands.stackJson(result.stack()));
      object.put("audit", result == null ? List.of() : AgentCommands.auditJson(result.audit()));
      JsonOutput.print(spec.commandLine().getOut(), object);
    } else {
      print(spec.commandLine().getOut(), jvm, jdk, result);
    }
    return ExitCode.OK;
  }

  private static void print(PrintWriter out, LocalJvm jvm, String jdk, AgentResult result) {
    String header = "JVM " + jvm.describe() + (jdk.isBlank() ? "" : ", JDK " + jdk);
    if (result == null) {
      out.println(header + ": no jlivepatch agent loaded; no patches");
      out.flush();
      return;
    }
    out.println(header + ", agent " + result.agentVersion());
    if (result.stack().isEmpty()) {
      out.println("patch stack: empty");
    } else {
      out.println("patch stack, bottom to top:");
      for (AgentResult.StackEntry entry : result.stack()) {
        out.println("  " + entry.id()
            + entry.depends().map(d -> " (on " + d + ")").orElse("")
            + "  applied " + entry.appliedAt() + " by " + entry.user()
            + ", " + entry.signer().map(s -> "signed by " + s).orElse("unsigned"));
        out.println("      classes: " + (entry.classes().isEmpty() ? "-" : String.join(", ", entry.classes())));
        if (!entry.pending().isEmpty()) {
          out.println("      pending (not loaded yet): " + String.join(", ", entry.pending()));
        }
      }
    }
    if (result.audit().isEmpty()) {
      out.println("audit log: empty");
    } else {
      out.println("audit log, oldest first:");
      for (AgentResult.AuditEvent event : result.audit()) {
        out.println("  " + event.time() + "  " + event.user() + "  " + event.action()
            + event.id().map(id -> " " + id).orElse("") + "  " + event.result()
            + (event.message().isBlank() ? "" : ": " + AgentCommands.oneLine(event.message())));
      }
    }
    out.flush();
  }
}
