package org.jlivepatch.agent.rt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.invoke.MethodHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jlivepatch.agent.rt.Parked.Where;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A per-thread transition on real threads, through {@link Codec}'s hand-written gates. */
class TransitionTest {

  static final LiveThreads LIVE = new LiveThreads(null);

  private final List<Transition> transitions = new ArrayList<>();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void steadyAtVersionZero() {
    Codec.reset();
  }

  @AfterEach
  void finishEverything() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    for (Transition t : transitions) {
      t.cancel();
      t.force();
      assertThat(t.await(Duration.ofSeconds(5)).state().finished()).as("%s finished", t).isTrue();
    }
    Codec.reset();
  }

  private Transition transition(Duration timeout, boolean force) {
    Transition t = new Transition("apply", "p1", Codec.methods(), Codec.guards(), timeout, force, LIVE);
    transitions.add(t);
    Codec.install(t, 1);
    return t;
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    closing.add(c);
    return c;
  }

  /** Polls the status until {@code condition} holds, for at most 3 s. */
  private static TransitionStatus statusWhen(Transition t, Predicate<TransitionStatus> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    TransitionStatus status = t.status();
    while (!condition.test(status) && System.nanoTime() < deadline) {
      Thread.sleep(5);
      status = t.status();
    }
    return status;
  }

  private static Straggler straggler(TransitionStatus status, String name) {
    return status.stragglers().stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(name + " is not a straggler in " + status));
  }

  @Test
  void beforeTheStartEveryGateAnswersOld() {
    Transition t = transition(Duration.ofSeconds(5), false);

    assertThat(Codec.roundTrip()).isEqualTo(new Codec.Trip(0, 0));
    assertThat(t.status().state()).isEqualTo(TransitionState.PREPARED);
    assertThat(t.trackedThreads()).isZero();

    assertThat(t.cancel()).isTrue();
    assertThat(t.await(Duration.ZERO).state()).isEqualTo(TransitionState.REVERSED);
    assertThat(Codec.roundTrip()).isEqualTo(new Codec.Trip(0, 0));
    assertThatThrownBy(t::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void threadsThatNeverEnterGatedCodeAreMovedFromOutside() throws Exception {
    CountDownLatch idle = new CountDownLatch(1);
    List<Thread> sleepers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Thread sleeper = new Thread(() -> {
        try {
          idle.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "sleeper-" + i);
      sleeper.setDaemon(true);
      sleeper.start();
      sleepers.add(sleeper);
    }
    closeLater(() -> {
      idle.countDown();
      for (Thread s : sleepers) {
        s.join(5000);
      }
    });
    Transition t = transition(Duration.ofSeconds(5), false);

    t.start();
    TransitionStatus end = t.await(Duration.ofSeconds(2));

    // Every thread alive at the start was on the old code; the sleepers never asked a gate, so only
    // the switcher can have moved them.
    assertThat(end.state()).isEqualTo(TransitionState.COMPLETED);
    assertThat(end.threads()).isGreaterThanOrEqualTo(4).isEqualTo(end.switched());
    assertThat(end.stragglers()).isEmpty();
    assertThat(end.forced()).isFalse();
    assertThat(t.trackedThreads()).isZero();
    assertThat(Codec.roundTrip()).isEqualTo(new Codec.Trip(1, 1));
  }

  @Test
  void aThreadWithACleanStackMovesItselfAtItsFirstGatedEntry() throws Exception {
    try (Parked holder = Parked.start("holder", Where.IN_ENCODE)) {
      Transition t = transition(Duration.ofSeconds(5), false);
      t.start();

      // This thread existed at the start (old code), but neither encode nor roundTrip is on its stack.
      assertThat(Codec.encode(Codec.NOTHING)).isEqualTo(1);
      assertThat(Codec.roundTrip()).isEqualTo(new Codec.Trip(1, 1));
      assertThat(t.status().state()).isEqualTo(TransitionState.RUNNING);
      holder.release();
    }
  }

  @Test
  void aThreadParkedInOldCodeHoldsTheTransitionAndIsReportedUntilReleased() throws Exception {
    try (Parked parked = closeLater(Parked.start("parked-in-encode", Where.IN_ENCODE))) {
      Transition t = transition(Duration.ofSeconds(5), false);
      t.start();

      TransitionStatus status = statusWhen(t, s -> !s.stragglers().isEmpty());

      assertThat(status.state()).isEqualTo(TransitionState.RUNNING);
      assertThat(status.command()).isEqualTo("apply");
      assertThat(status.patchId()).isEqualTo("p1");
      assertThat(status.timeoutMillis()).isEqualTo(5000);
      assertThat(status.startedAt()).isNotNull();
      assertThat(status.virtualThreads()).isEqualTo(LIVE.visibility());
      assertThat(status.stragglers()).hasSize(1);
      Straggler s = straggler(status, "parked-in-encode");
      assertThat(s.id()).isEqualTo(parked.thread.getId());
      assertThat(s.virtual()).isFalse();
      assertThat(s.threadState()).isEqualTo(Thread.State.WAITING);
      assertThat(s.frame()).startsWith("org.jlivepatch.agent.rt.Codec.encode(Codec.java:");
      assertThat(s.stackText()).contains("Codec.roundTrip(Codec.java:").doesNotContain("app//");
      assertThat(status.threads()).isEqualTo(status.switched() + 1);
      Thread.sleep(50);
      assertThat(t.status().elapsedMillis()).isGreaterThanOrEqualTo(status.elapsedMillis() + 40);

      assertThat(parked.release()).isEqualTo(new Codec.Trip(0, 0));
      TransitionStatus end = t.await(Duration.ofSeconds(2));
      assertThat(end.state()).isEqualTo(TransitionState.COMPLETED);
      assertThat(end.stragglers()).isEmpty();
    }
  }

  @Test
  void aThreadInAGuardBetweenTwoGatedCallsStaysOnTheOldCode() throws Exception {
    try (Parked parked = closeLater(Parked.start("between", Where.BETWEEN))) {
      Transition t = transition(Duration.ofSeconds(5), false);
      t.start();

      Straggler s = straggler(statusWhen(t, st -> !st.stragglers().isEmpty()), "between");
      assertThat(s.frame()).startsWith("org.jlivepatch.agent.rt.Codec.roundTrip(Codec.java:");

      // Its decode comes after the old encode: the thread's own check sees roundTrip and keeps it old.
      assertThat(parked.release()).isEqualTo(new Codec.Trip(0, 0));
      assertThat(t.await(Duration.ofSeconds(2)).state()).isEqualTo(TransitionState.COMPLETED);
    }
  }

  @Test
  void threadsCreatedAfterTheStartTakeTheNewCode() throws Exception {
    try (Parked holder = closeLater(Parked.start("holder", Where.IN_ENCODE))) {
      Transition t = transition(Duration.ofSeconds(5), false);
      t.start();

      CompletableFuture<Codec.Trip> trip = new CompletableFuture<>();
      Thread late = new Thread(() -> trip.complete(Codec.roundTrip()), "late");
      late.start();

      assertThat(trip.get(2, TimeUnit.SECONDS)).isEqualTo(new Codec.Trip(1, 1));
      assertThat(t.status().state()).isEqualTo(TransitionState.RUNNING);
      assertThat(holder.release()).isEqualTo(new Codec.Trip(0, 0));
      assertThat(t.await(Duration.ofSeconds(2)).state()).isEqualTo(TransitionState.COMPLETED);
    }
  }

  @Test
  void atTheTimeoutItReversesUnderTheSameRuleAndEachThreadStaysConsistent() throws Exception {
    Parked old = closeLater(Parked.start("old-in-encode", Where.IN_ENCODE));
    Transition t = transition(Duration.ofMillis(300), false);
    t.start();
    // Created after the start: takes the new code, and waits inside the new encode.
    Parked fresh = closeLater(Parked.start("new-in-encode", Where.IN_ENCODE));

    TransitionStatus reversing = statusWhen(t, s -> s.state() == TransitionState.REVERSING && !s.stragglers().isEmpty());
    assertThat(reversing.state()).isEqualTo(TransitionState.REVERSING);
    // The old thread is already where a reversal goes; the new one holds it.
    assertThat(reversing.stragglers()).extracting(Straggler::name).containsExactly("new-in-encode");
    assertThat(straggler(reversing, "new-in-encode").frame()).startsWith("org.jlivepatch.agent.rt.Codec.encode(");
    TransitionStatus overdue = statusWhen(t, TransitionStatus::overdue);
    assertThat(overdue.overdue()).as("reversing longer than the timeout").isTrue();
    assertThat(overdue.state()).isEqualTo(TransitionState.REVERSING);
    assertThat(t.outcome()).isNotDone();

    assertThat(fresh.release()).isEqualTo(new Codec.Trip(1, 1));
    TransitionStatus end = t.await(Duration.ofSeconds(2));
    assertThat(end.state()).isEqualTo(TransitionState.REVERSED);
    assertThat(end.forced()).isFalse();
    assertThat(end.stragglers()).isEmpty();
    assertThat(old.release()).isEqualTo(new Codec.Trip(0, 0));
    // The gates of a reversed transition answer "old" to everyone until they are folded away.
    assertThat(Codec.roundTrip()).isEqualTo(new Codec.Trip(0, 0));
    assertThat(t.trackedThreads()).isZero();
  }

  @Test
  void forceFinishesAtTheTimeoutAndNamesTheStragglers() throws Exception {
    Parked parked = closeLater(Parked.start("stuck", Where.IN_ENCODE));
    Transition t = transition(Duration.ofMillis(200), true);
    long started = System.nanoTime();
    t.start();

    TransitionStatus end = t.await(Duration.ofSeconds(2));

    assertThat(end.state()).isEqualTo(TransitionState.FORCED);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(150L, 1500L);
    assertThat(end.forced()).isTrue();
    assertThat(end.stragglers()).extracting(Straggler::name).containsExactly("stuck");
    assertThat(end.stragglers().get(0).frame()).startsWith("org.jlivepatch.agent.rt.Codec.encode(Codec.java:");
    assertThat(end.threads()).isEqualTo(end.switched() + 1);
    // The risk force takes: the straggler's old encode is followed by the new decode.
    assertThat(parked.release()).isEqualTo(new Codec.Trip(0, 1));
    assertThat(Codec.roundTrip()).isEqualTo(new Codec.Trip(1, 1));
    assertThat(t.trackedThreads()).isZero();
  }

  @Test
  void reverseAndForceOnRequest() throws Exception {
    Parked parked = closeLater(Parked.start("stuck", Where.IN_ENCODE));
    Transition t = transition(Duration.ofSeconds(10), false);
    t.start();
    Parked fresh = closeLater(Parked.start("new-in-encode", Where.IN_ENCODE));

    t.reverse();
    TransitionStatus reversing = statusWhen(t, s -> s.state() == TransitionState.REVERSING && !s.stragglers().isEmpty());
    assertThat(reversing.stragglers()).extracting(Straggler::name).containsExactly("new-in-encode");
    t.force();
    TransitionStatus end = t.await(Duration.ofSeconds(2));

    assertThat(end.state()).isEqualTo(TransitionState.REVERSED);
    assertThat(end.forced()).isTrue();
    assertThat(end.stragglers()).extracting(Straggler::name).containsExactly("new-in-encode");
    assertThat(fresh.release()).isEqualTo(new Codec.Trip(1, 0));
    assertThat(parked.release()).isEqualTo(new Codec.Trip(0, 0));
  }

  @Test
  void aThreadThatDiesIsDropped() throws Exception {
    Parked parked = closeLater(Parked.start("dies", Where.IN_ENCODE));
    Transition t = transition(Duration.ofSeconds(5), false);
    t.start();
    statusWhen(t, s -> !s.stragglers().isEmpty());

    assertThat(parked.release()).isEqualTo(new Codec.Trip(0, 0));
    parked.thread.join(2000);

    assertThat(t.await(Duration.ofSeconds(2)).state()).isEqualTo(TransitionState.COMPLETED);
  }

  @Test
  void theGateOfAThreadAtTheTargetAllocatesNothing() throws Throwable {
    try (Parked holder = closeLater(Parked.start("holder", Where.IN_ENCODE))) {
      Transition t = transition(Duration.ofSeconds(5), false);
      t.start();
      MethodHandle gate = t.gate(Codec.class, Codec.ENCODE);
      boolean answer = false;
      for (int i = 0; i < 20_000; i++) { // this thread moves at its first call; then warm up
        answer |= (boolean) gate.invokeExact();
      }
      com.sun.management.ThreadMXBean threads =
          (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
      long id = Thread.currentThread().getId();

      long before = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < 100_000; i++) {
        answer &= (boolean) gate.invokeExact();
      }
      long allocated = threads.getThreadAllocatedBytes(id) - before;

      assertThat(answer).isTrue();
      assertThat(t.status().state()).isEqualTo(TransitionState.RUNNING);
      assertThat(allocated).as("bytes allocated by 100,000 gate calls").isLessThan(1024);
      holder.release();
    }
  }

  @Test
  void oneGatePerMethodAndNoneForOthers() {
    Transition t = transition(Duration.ofSeconds(5), false);

    MethodHandle encode = t.gate(Codec.class, Codec.ENCODE);
    assertThat(t.gate(new GatedMethod(Codec.class, "encode", "(Ljava/lang/Runnable;)I"))).isSameAs(encode);
    assertThat(encode.type().toMethodDescriptorString()).isEqualTo("()Z");
    assertThat(t.gate(Codec.class, Codec.DECODE)).isNotSameAs(encode);
    assertThatThrownBy(() -> t.gate(Codec.class, "encode(Ljava/lang/String;)I"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("method org.jlivepatch.agent.rt.Codec.encode(Ljava/lang/String;)I in loader ")
        .hasMessageContaining("is not gated by the transition of apply p1");
    assertThatCode(t::start).doesNotThrowAnyException();
    assertThatThrownBy(t::start).isInstanceOf(IllegalStateException.class);
  }
}
