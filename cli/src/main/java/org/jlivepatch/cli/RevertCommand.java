package org.jlivepatch.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.jlivepatch.cli.attach.AgentClient;
import org.jlivepatch.cli.attach.AgentJar;
import org.jlivepatch.cli.attach.LocalJvm;
import org.jlivepatch.core.model.PatchId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jlivepatch revert PID ID}: takes the top patch off a JVM's stack, restoring the code below it. */
@Command(
    name = "revert",
    description = {
      "Revert the patch on top of a running JVM's patch stack.",
      "Only the top patch can be reverted; its preRevert hooks may veto. Nothing changes on failure.",
      "Threads move back to the code below under the same consistency model as 'apply'."
    })
public final class RevertCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin JsonMixin json;

  @Parameters(index = "0", paramLabel = "PID", description = "The target JVM: a pid, or a unique part of its main class or jar name.")
  String pid;

  @Parameters(index = "1", paramLabel = "ID", description = "The id of the patch to revert: the top of the stack.")
  String id;

  @Mixin ConsistencyOptions consistency;

  @Override
  public Integer call() {
    if (!PatchId.isValid(id)) {
      throw new CliException(ExitCode.USAGE, "'" + id + "' is not a patch id (see 'jlivepatch list PID')");
    }
    Map<String, String> request = new LinkedHashMap<>();
    request.put("command", "revert");
    request.put("id", id);
    consistency.addTo(request);
    request.put("user", AgentCommands.user());
    LocalJvm jvm = AgentCommands.resolve(pid);
    var agentJar = AgentJar.locate();
    Transitions.Polled polled;
    try (AgentClient.Session session = new AgentClient(Progress.to(spec.commandLine().getErr()))
        .attach(jvm, AgentClient.ATTACH_TIMEOUT)) {
      // Without an agent there is no stack; loading one just to refuse would change the target.
      Properties properties = session.systemProperties(consistency.lockWait());
      if (!AgentCommands.agentLoaded(properties)) {
        throw new CliException(ExitCode.REFUSED, "JVM " + jvm.pid() + ": patch " + id
            + " is not applied (no jlivepatch agent is loaded, the patch stack is empty)");
      }
      polled = AgentCommands.sendAndAwait(session, agentJar, request, null, consistency,
          spec.commandLine().getErr(), "revert of " + id);
    }
    return AgentCommands.report(spec.commandLine().getOut(), spec.commandLine().getErr(), json.enabled(), jvm,
        "revert", "revert of " + id, polled, "reverted patch " + id);
  }
}
