package org.jlivepatch.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jlivepatch.cli.attach.AgentResult;
import org.jlivepatch.cli.attach.LocalJvm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jlivepatch apply PID FILE.jlp}: applies a patch to a running JVM, on top of its stack. */
@Command(
    name = "apply",
    description = {
      "Apply a patch to a running JVM, on top of its patch stack.",
      "The payload is checked here, then in the target: integrity, signature, JDK, every target class, "
          + "the expected bytecode, the stack, the hooks. Nothing changes unless every check passes."
    })
public final class ApplyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin JsonMixin json;

  @Parameters(index = "0", paramLabel = "PID", description = "The target JVM: a pid, or a unique part of its main class or jar name.")
  String pid;

  @Parameters(index = "1", paramLabel = "FILE.jlp", description = "The payload, built by 'jlivepatch build'.")
  Path payload;

  @Option(names = "--consistency", paramLabel = "MODEL", defaultValue = "immediate",
      description = "When threads move to the new code: 'immediate' (every thread at once, the default). "
          + "'per-thread' is not available yet.")
  String consistency;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
      description = "How long the agent may wait for a concurrent command to finish (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() {
    return PatchSender.send(spec, json, "apply", pid, payload, consistency, timeout);
  }

  /** Sends {@code apply} or {@code replace} with a payload, and prints the result. */
  static final class PatchSender {

    private PatchSender() {}

    static int send(CommandSpec spec, JsonMixin json, String command, String pid, Path payload,
        String consistency, Duration timeout) {
      if (!consistency.equals("immediate")) {
        throw new CliException(ExitCode.USAGE, consistency.equals("per-thread")
            ? "--consistency per-thread is not available in this version; use --consistency immediate"
            : "unknown --consistency '" + consistency + "': use immediate");
      }
      PayloadFiles.Checked checked = PayloadFiles.read(payload);
      LocalJvm jvm = AgentCommands.resolve(pid);
      Map<String, String> request = new LinkedHashMap<>();
      request.put("command", command);
      request.put("consistency", consistency);
      request.put("user", AgentCommands.user());
      AgentResult result = AgentCommands.send(jvm, spec.commandLine().getErr(), request, checked.upload(), timeout);
      String patchId = result.patchId().orElse(checked.payload().patch().id());
      if (!result.succeeded()) {
        throw AgentCommands.failure(jvm, command + " of " + patchId, result);
      }
      if (json.enabled()) {
        JsonOutput.print(spec.commandLine().getOut(), AgentCommands.json(command, jvm, result));
      } else {
        var out = spec.commandLine().getOut();
        out.println(AgentCommands.header(jvm, result) + ": " + AgentCommands.oneLine(
            result.message().isBlank() ? command + " of " + patchId + " done" : result.message().strip()));
        AgentCommands.printClasses(out, result);
        out.flush();
      }
      return result.exitCode();
    }
  }
}
