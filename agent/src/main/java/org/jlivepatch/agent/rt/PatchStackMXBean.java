package org.jlivepatch.agent.rt;

import java.util.List;

/**
 * Read-only view of the patch stack, registered as {@code org.jlivepatch:type=PatchStack} in the
 * platform MBean server once the JVM has one: at the agent's start, or at its first command after
 * the application or a JMX agent created the server. The agent never creates it.
 */
public interface PatchStackMXBean {

  /** The object name the agent registers this bean under. */
  String OBJECT_NAME = "org.jlivepatch:type=PatchStack";

  /** The agent's jlivepatch version. */
  String getAgentVersion();

  /** The patch ids on the stack, bottom first. */
  List<String> getPatchIds();

  /** The patches on the stack, bottom first. */
  List<StackEntry> getEntries();

  /** One patch on the stack. */
  final class StackEntry {
    private final String id;
    private final String depends;
    private final String appliedAt;
    private final String user;
    private final String signer;
    private final List<String> classes;
    private final List<String> pending;

    StackEntry(String id, String depends, String appliedAt, String user, String signer, List<String> classes,
        List<String> pending) {
      this.id = id;
      this.depends = depends;
      this.appliedAt = appliedAt;
      this.user = user;
      this.signer = signer;
      this.classes = List.copyOf(classes);
      this.pending = List.copyOf(pending);
    }

    /** The patch id. */
    public String getId() {
      return id;
    }

    /** The id of the patch below, empty for the bottom one. */
    public String getDepends() {
      return depends;
    }

    /** When the patch was applied, ISO-8601. */
    public String getAppliedAt() {
      return appliedAt;
    }

    /** The OS user who applied it. */
    public String getUser() {
      return user;
    }

    /** The key id of the verified signer, empty when no trusted keys are configured. */
    public String getSigner() {
      return signer;
    }

    /** Binary names of the classes switched in. */
    public List<String> getClasses() {
      return classes;
    }

    /** Binary names of the classes not loaded yet; patched when they load. */
    public List<String> getPending() {
      return pending;
    }
  }
}
