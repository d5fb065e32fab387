package org.jlivepatch.cli.attach;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.function.Function;
import org.jlivepatch.cli.ExitCode;

/**
 * What the agent answered to one request (protocol v1 {@code result.properties}).
 *
 * @param exitCode 0 done, 1 failure, 2 not supported by this agent, 3 refused, 4 retry later
 * @param step on failure, the check that failed; otherwise empty
 * @param message one line naming what is wrong, or what was done
 * @param agentVersion the agent's jlivepatch version
 * @param jdk the target's {@code java.runtime.version}
 * @param patchId the patch acted on, if any
 * @param patchSigner the key id of its signer, if signed
 * @param classes per class of the patch acted on, its state
 * @param stack the patch stack, bottom to top
 * @param audit the audit log, oldest first
 * @param pending {@code pending=true}: the command's per-thread transition is still running; the
 *     final result comes from {@code command=await}
 * @param commandId the agent's id of a change command, which {@code await} names
 * @param transition the {@code transition.*} keys, when the agent sent any
 */
public record AgentResult(
    int exitCode,
    Optional<String> step,
    String message,
    String agentVersion,
    String jdk,
    Optional<String> patchId,
    Optional<String> patchSigner,
    List<ClassState> classes,
    List<StackEntry> stack,
    List<AuditEvent> audit,
    boolean pending,
    OptionalLong commandId,
    Optional<Transition> transition) {

  /** The protocol version this client speaks. */
  public static final int PROTOCOL = 1;

  public AgentResult {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(agentVersion, "agentVersion");
    Objects.requireNonNull(jdk, "jdk");
    Objects.requireNonNull(patchId, "patchId");
    Objects.requireNonNull(patchSigner, "patchSigner");
    classes = List.copyOf(classes);
    stack = List.copyOf(stack);
    audit = List.copyOf(audit);
    Objects.requireNonNull(commandId, "commandId");
    Objects.requireNonNull(transition, "transition");
  }

  /**
   * A class of the patch acted on.
   *
   * @param name binary name
   * @param loader description of the class loader that defines it
   * @param state {@code applied} or {@code pending} (not loaded yet)
   */
  public record ClassState(String name, String loader, String state) {}

  /**
   * A patch on the stack.
   *
   * @param id the patch id
   * @param depends the id of the patch below, if any
   * @param appliedAt when it was applied (ISO-8601)
   * @param user who applied it
   * @param signer the key id of its signer, if signed
   * @param classes the binary names applied
   * @param pending the binary names not loaded yet
   */
  public record StackEntry(
      String id, Optional<String> depends, String appliedAt, String user, Optional<String> signer,
      List<String> classes, List<String> pending) {}

  /**
   * An audit record.
   *
   * @param time when (ISO-8601)
   * @param user who
   * @param action what was asked: apply, revert, replace, ...
   * @param id the patch id, if any
   * @param result the outcome
   * @param message one line about it
   */
  public record AuditEvent(String time, String user, String action, Optional<String> id, String result, String message) {}

  /**
   * A per-thread transition, as {@code status}, {@code await} and a pending or final
   * apply/revert/replace result describe it. Numbers the agent did not send are empty.
   *
   * @param state {@code none}, {@code running}, {@code reversing}, {@code completed}, {@code reversed}
   *     or {@code forced}
   * @param command the command that started it: apply, revert or replace; empty if not sent
   * @param patch the patch id; empty if not sent
   * @param consistency the consistency model; empty if not sent
   * @param startedAt when it started (ISO-8601); empty if not sent
   * @param elapsedMs how long it has run
   * @param timeoutMs when it is reversed (or forced)
   * @param ms how long it took, in a final result
   * @param threads the live threads considered
   * @param switched the threads on the target code
   * @param virtualThreads {@code visible}, {@code invisible} (they exist but cannot be enumerated)
   *     or {@code none}; empty if not sent
   * @param stragglers the threads still in old code (in a forced result: those that were)
   */
  public record Transition(
      String state, String command, String patch, String consistency, String startedAt,
      OptionalLong elapsedMs, OptionalLong timeoutMs, OptionalLong ms, OptionalLong threads, OptionalLong switched,
      String virtualThreads, List<Straggler> stragglers) {

    public Transition {
      stragglers = List.copyOf(stragglers);
    }

    /** Whether the transition is still going, forwards or backwards. */
    public boolean inProgress() {
      return state.equals("running") || state.equals("reversing");
    }
  }

  /**
   * A thread that holds a transition up: one of the patch's methods (or a guard) is on its stack.
   *
   * @param name the thread's name
   * @param id its {@code Thread.threadId()}, or -1 if not sent
   * @param virtual whether it is a virtual thread
   * @param frame the frame that holds it, e.g. {@code demo.Codec.encode(Codec.java:12)}
   * @param stack its stack, innermost frame first
   */
  public record Straggler(String name, long id, boolean virtual, String frame, List<String> stack) {
    public Straggler {
      stack = List.copyOf(stack);
    }
  }

  /**
   * Parses a result file's properties.
   *
   * @throws IllegalArgumentException naming the problem when the protocol is not {@value #PROTOCOL}
   *     or the exit code is missing
   */
  public static AgentResult parse(Properties properties) {
    String protocol = properties.getProperty("protocol");
    if (!Integer.toString(PROTOCOL).equals(protocol)) {
      throw new IllegalArgumentException("the agent answered in protocol version " + protocol
          + ", this jlivepatch speaks version " + PROTOCOL);
    }
    int exitCode;
    try {
      exitCode = Integer.parseInt(properties.getProperty("exitCode", "").strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the agent's result has no valid exitCode: '" + properties.getProperty("exitCode") + "'");
    }
    if (exitCode < ExitCode.OK || exitCode > ExitCode.RETRY) {
      exitCode = ExitCode.FAILURE;
    }
    return new AgentResult(
        exitCode,
        optional(properties, "step"),
        properties.getProperty("message", ""),
        properties.getProperty("agent.version", ""),
        properties.getProperty("jdk", ""),
        optional(properties, "patch.id"),
        optional(properties, "patch.signer"),
        indexed(properties, "class", "name", p -> new ClassState(
            p.apply("name"), p.apply("loader"), p.apply("state"))),
        indexed(properties, "stack", "id", p -> new StackEntry(
            p.apply("id"), nonEmpty(p.apply("depends")), p.apply("appliedAt"), p.apply("user"),
            nonEmpty(p.apply("signer")), names(p.apply("classes")), names(p.apply("pending")))),
        indexed(properties, "audit", "action", p -> new AuditEvent(
            p.apply("time"), p.apply("user"), p.apply("action"), nonEmpty(p.apply("id")),
            p.apply("result"), p.apply("message"))),
        "true".equals(properties.getProperty("pending", "").strip()),
        number(properties.getProperty("command.id", "")),
        transition(properties));
  }

  private static Optional<Transition> transition(Properties properties) {
    if (properties.stringPropertyNames().stream().noneMatch(key -> key.startsWith("transition."))) {
      return Optional.empty();
    }
    Function<String, String> get = key -> properties.getProperty("transition." + key, "").strip();
    return Optional.of(new Transition(
        get.apply("state").isEmpty() ? "none" : get.apply("state"),
        get.apply("command"), get.apply("patch"), get.apply("consistency"), get.apply("startedAt"),
        number(get.apply("elapsedMs")), number(get.apply("timeoutMs")), number(get.apply("ms")),
        number(get.apply("threads")), number(get.apply("switched")),
        get.apply("virtualThreads"),
        indexed(properties, "transition.straggler", "name", p -> new Straggler(
            p.apply("name"), number(p.apply("id")).orElse(-1), "true".equals(p.apply("virtual").strip()),
            p.apply("frame"), p.apply("stack").lines().map(String::strip).filter(l -> !l.isEmpty()).toList()))));
  }

  private static OptionalLong number(String text) {
    try {
      return text.isBlank() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text.strip()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** This result with another message. */
  public AgentResult withMessage(String newMessage) {
    return new AgentResult(exitCode, step, newMessage, agentVersion, jdk, patchId, patchSigner, classes, stack, audit,
        pending, commandId, transition);
  }

  /** Whether the agent did what was asked. */
  public boolean succeeded() {
    return exitCode == ExitCode.OK;
  }

  private static Optional<String> optional(Properties properties, String key) {
    return nonEmpty(properties.getProperty(key));
  }

  private static Optional<String> nonEmpty(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  private static List<String> names(String commaSeparated) {
    if (commaSeparated.isBlank()) {
      return List.of();
    }
    return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  /** Reads {@code prefix.0.*}, {@code prefix.1.*}, ... while {@code prefix.N.key} exists. */
  private static <T> List<T> indexed(Properties properties, String prefix, String key, Function<Function<String, String>, T> read) {
    List<T> items = new ArrayList<>();
    for (int n = 0; properties.getProperty(prefix + "." + n + "." + key) != null; n++) {
      String base = prefix + "." + n + ".";
      items.add(read.apply(field -> properties.getProperty(base + field, "")));
    }
    return items;
  }
}
