package org.jlivepatch.agent.rt;

import java.util.List;
import org.jlivepatch.core.Version;

/** The MXBean over the live stack; read-only. */
final class PatchStackView implements PatchStackMXBean {

  private final PatchStack stack;

  PatchStackView(PatchStack stack) {
    this.stack = stack;
  }

  @Override
  public String getAgentVersion() {
    return Version.current();
  }

  @Override
  public List<String> getPatchIds() {
    return stack.entries().stream().map(AppliedPatch::id).toList();
  }

  @Override
  public List<StackEntry> getEntries() {
    return AgentRuntime.describe(stack);
  }
}
