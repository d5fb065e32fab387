package org.jlivepatch.agent.rt;

import java.time.Instant;
import java.util.List;

/**
 * A snapshot of a {@link Transition}: immutable, holds no thread references.
 *
 * @param state where the transition is
 * @param command the command that started it (apply, revert, replace), as given
 * @param patchId the patch id, as given
 * @param startedAt when {@link Transition#start()} ran; null while prepared
 * @param elapsedMillis time since the start; once finished, the time it took
 * @param timeoutMillis the timeout the transition was created with
 * @param threads live threads the transition tracks (threads that existed at its start or that entered gated code)
 * @param switched of those, the threads at the current target (the new code; the old code while reversing)
 * @param virtualThreads whether virtual threads could be enumerated
 * @param forced whether it finished with stragglers, by {@code force} or at the timeout
 * @param overdue reversing, and for longer than the timeout: the reversal itself is stuck on the stragglers
 * @param stragglers threads not at the target at the last look; once finished, empty unless {@code forced}
 * @param error the last unexpected error of the switcher thread, or null
 */
public record TransitionStatus(TransitionState state, String command, String patchId, Instant startedAt,
    long elapsedMillis, long timeoutMillis, int threads, int switched, LiveThreads.Visibility virtualThreads,
    boolean forced, boolean overdue, List<Straggler> stragglers, String error) {

  public TransitionStatus {
    stragglers = List.copyOf(stragglers);
  }

  TransitionStatus withElapsed(long millis) {
    return new TransitionStatus(state, command, patchId, startedAt, millis, timeoutMillis, threads, switched,
        virtualThreads, forced, overdue, stragglers, error);
  }
}
