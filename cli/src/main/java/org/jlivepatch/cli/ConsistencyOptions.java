package org.jlivepatch.cli;

import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options of the commands that switch code in a running JVM ({@code apply}, {@code revert},
 * {@code replace}): the consistency model, its timeout, {@code --force}, and how long the agent
 * may wait for another command.
 */
public final class ConsistencyOptions {

  /** The consistency models, as the agent protocol names them. */
  static final String PER_THREAD = "per-thread";
  static final String IMMEDIATE = "immediate";

  @Option(names = "--consistency", paramLabel = "MODEL", defaultValue = PER_THREAD,
      description = "When threads move to the new code. 'per-thread' (the default): each thread switches "
          + "only when none of the patch's methods is on its stack, so no call chain mixes old and new "
          + "versions of the patch. 'immediate': every thread at once, from its next call.")
  String consistency;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
      description = "How long a per-thread transition may take (default: ${DEFAULT-VALUE}). Past it the "
          + "transition is reversed and the command exits 4, nothing changed; see --force.")
  Duration timeout;

  @Option(names = "--force",
      description = "At the timeout, complete the transition anyway instead of reversing it. Risk: threads "
          + "still in old code may then mix old and new versions of the patch's methods in one call chain "
          + "until those old frames return; they are named in a warning.")
  boolean force;

  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
      description = "How long the agent may wait for another command in progress in the target "
          + "(default: ${DEFAULT-VALUE}). Past it: exit 4, nothing changed.")
  Duration wait;

  /**
   * The consistency model asked for.
   *
   * @throws CliException exit 2 for a model that does not exist, or --force with immediate
   */
  public String model() {
    if (!consistency.equals(PER_THREAD) && !consistency.equals(IMMEDIATE)) {
      throw new CliException(ExitCode.USAGE, "unknown --consistency '" + consistency + "': use "
          + PER_THREAD + " (the default) or " + IMMEDIATE);
    }
    if (force && consistency.equals(IMMEDIATE)) {
      throw new CliException(ExitCode.USAGE, "--force applies to --consistency " + PER_THREAD
          + " only: an immediate switch has no transition to force");
    }
    return consistency;
  }

  /** How long the agent may wait for its command lock (the request's {@code timeout}). */
  public Duration lockWait() {
    return wait;
  }

  /** Adds {@code consistency}, {@code transitionTimeout} (ms) and, with --force, {@code force=true}. */
  public void addTo(Map<String, String> request) {
    request.put("consistency", model());
    request.put("transitionTimeout", Long.toString(timeout.toMillis()));
    if (force) {
      // Absent means false; an agent without per-thread consistency refuses any other value.
      request.put("force", "true");
    }
  }

  /** The transition timeout. */
  Duration transitionTimeout() {
    return timeout;
  }
}
