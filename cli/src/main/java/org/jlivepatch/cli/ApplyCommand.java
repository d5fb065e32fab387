package org.jlivepatch.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jlivepatch.cli.attach.AgentClient;
import org.jlivepatch.cli.attach.AgentJar;
import org.jlivepatch.cli.attach.LocalJvm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jlivepatch apply PID FILE.jlp}: applies a patch to a running JVM, on top of its stack. */
@Command(
    name = "apply",
    description = {
      "Apply a patch to a running JVM, on top of its patch stack.",
      "The payload is checked here, then in the target: integrity, signature, JDK, every target class, "
          + "the expected bytecode, the stack, the hooks. Nothing changes unless every check passes.",
      "By default each thread moves to the new code only when none of the patch's methods is on its stack "
          + "(per-thread consistency); 'jlivepatch status PID' shows a transition's progress."
    })
public final class ApplyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin JsonMixin json;

  @Parameters(index = "0", paramLabel = "PID", description = "The target JVM: a pid, or a unique part of its main class or jar name.")
  String pid;

  @Parameters(index = "1", paramLabel = "FILE.jlp", description = "The payload, built by 'jlivepatch build'.")
  Path payload;

  @Mixin ConsistencyOptions consistency;

  @Override
  public Integer call() {
    return PatchSender.send(spec, json, "apply", pid, payload, consistency);
  }

  /** Sends {@code apply} or {@code replace} with a payload, waits for its transition, and prints the result. */
  static final class PatchSender {

    private PatchSender() {}

    static int send(CommandSpec spec, JsonMixin json, String command, String pid, Path payload,
        ConsistencyOptions consistency) {
      Map<String, String> request = new LinkedHashMap<>();
      request.put("command", command);
      consistency.addTo(request); // a wrong --consistency is a usage error before anything is read
      request.put("user", AgentCommands.user());
      Timing.mark("options parsed");
      PayloadFiles.Checked checked = PayloadFiles.read(payload);
      Timing.mark("payload checked");
      LocalJvm jvm = AgentCommands.resolve(pid);
      Timing.mark("target found");
      String action = command + " of " + checked.payload().patch().id();
      Transitions.Polled polled;
      try (AgentClient.Session session = new AgentClient(Progress.to(spec.commandLine().getErr()))
          .attach(jvm, AgentClient.ATTACH_TIMEOUT)) {
        polled = AgentCommands.sendAndAwait(session, AgentJar.locate(), request, checked.upload(), consistency,
            spec.commandLine().getErr(), action);
      }
      String patchId = polled.result().patchId().orElse(checked.payload().patch().id());
      return AgentCommands.report(spec.commandLine().getOut(), spec.commandLine().getErr(), json.enabled(), jvm,
          command, command + " of " + patchId, polled, command + " of " + patchId + " done");
    }
  }
}
