package org.jlivepatch.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jlivepatch replace PID FILE.jlp}: swaps a JVM's whole patch stack for one cumulative patch. */
@Command(
    name = "replace",
    description = {
      "Replace the whole patch stack of a running JVM with one cumulative patch, in one operation.",
      "The same checks as 'apply'; nothing changes unless every check passes."
    })
public final class ReplaceCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin JsonMixin json;

  @Parameters(index = "0", paramLabel = "PID", description = "The target JVM: a pid, or a unique part of its main class or jar name.")
  String pid;

  @Parameters(index = "1", paramLabel = "FILE.jlp", description = "The cumulative payload, built against the unpatched classes.")
  Path payload;

  @Mixin ConsistencyOptions consistency;

  @Override
  public Integer call() {
    return ApplyCommand.PatchSender.send(spec, json, "replace", pid, payload, consistency);
  }
}
