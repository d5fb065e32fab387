package org.jlivepatch.agent.rt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jlivepatch.core.model.Guard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Worker threads do encode-then-decode round trips through {@link Codec#roundTrip}, a guard outside
 * the transition, while the codec switches between versions 0 and 1 again and again. Per-thread
 * transitions, completed or reversed: no round trip mixes. The control switches both methods at once
 * (what one redefinition does): mixed round trips appear, so the workers can see them.
 */
class TransitionTortureTest {

  private static final int WORKERS = 3;

  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong trips = new AtomicLong();
  private final AtomicLong mixed = new AtomicLong();
  private final List<Thread> workers = new ArrayList<>();

  @BeforeEach
  void startWorkers() {
    Codec.reset();
    for (int i = 0; i < WORKERS; i++) {
      boolean slow = i == 0;
      Thread worker = new Thread(() -> work(slow), "worker-" + i);
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
  }

  @AfterEach
  void stopWorkers() throws InterruptedException {
    stop.set(true);
    for (Thread worker : workers) {
      worker.join(5000);
    }
    Codec.reset();
  }

  /**
   * Round trips with a little work between encode and decode; a direct encode now and then (a caller
   * that is no guard: the thread's own check moves it); a short sleep now and then (where the switcher
   * moves it). The slow worker sometimes waits a millisecond inside encode, which makes transitions
   * with a short timeout reverse, or between encode and decode, where only the guard holds it.
   */
  private void work(boolean slow) {
    Runnable between = () -> {
      for (int i = 0; i < 50; i++) {
        Thread.onSpinWait();
      }
    };
    Runnable dawdle = () -> LockSupport.parkNanos(1_000_000);
    long n = 0;
    while (!stop.get()) {
      n++;
      Codec.Trip trip = Codec.roundTrip(slow && n % 64 == 0 ? dawdle : Codec.NOTHING,
          slow && n % 64 == 32 ? dawdle : between);
      trips.incrementAndGet();
      if (trip.mixed()) {
        mixed.incrementAndGet();
      }
      if (n % 5 == 0) {
        Codec.encode(Codec.NOTHING);
      }
      if (n % 16 == 0) {
        LockSupport.parkNanos(20_000);
      }
    }
  }

  @Test
  void perThreadTransitionsNeverMixARoundTrip() {
    torture(GuardSites.NONE);
  }

  /** The same with the guard's free call (encode, its first) analysed from Codec's class file: a thread moves there. */
  @Test
  void perThreadTransitionsWhereTheGuardsFirstCallIsFreeNeverMixARoundTrip() throws IOException {
    byte[] codec;
    try (InputStream in = Codec.class.getResourceAsStream("Codec.class")) {
      codec = in.readAllBytes();
    }
    Guard guard = Codec.guards().get(0);
    GuardSites sites = GuardSites.of(Map.of(Codec.class, List.of(codec)),
        Map.of(Codec.class, List.of(guard.method() + guard.descriptor())));
    assertThat(sites.any()).isTrue();
    torture(sites);
  }

  private void torture(GuardSites sites) {
    LiveThreads live = new LiveThreads(null);
    Map<TransitionState, Integer> ends = new EnumMap<>(TransitionState.class);
    long started = System.nanoTime();
    int count = 0;
    // 1.5 s, longer (up to 6 s) on a loaded machine until enough transitions completed and reversed.
    while (System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(1500)
        || (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(6)
            && (ends.getOrDefault(TransitionState.COMPLETED, 0) < 10 || ends.getOrDefault(TransitionState.REVERSED, 0) < 3))) {
      count++;
      int next = 1 - Codec.steady;
      // Some transitions time out at once, some are reversed on request a little after the start.
      Duration timeout = count % 5 == 0 ? Duration.ofMillis(1) : Duration.ofSeconds(2);
      Transition t = new Transition(next == 1 ? "apply" : "revert", "p" + count, Codec.methods(), Codec.guards(),
          sites, timeout, false, live);
      Codec.install(t, next);
      t.start();
      if (count % 4 == 0) {
        LockSupport.parkNanos(2_000_000);
        t.reverse();
      }
      TransitionStatus end = t.await(Duration.ofSeconds(3));
      assertThat(end.state().finished()).as("transition %d finished: %s", count, end).isTrue();
      assertThat(t.trackedThreads()).isZero();
      Codec.fold(end, next);
      ends.merge(end.state(), 1, Integer::sum);
    }

    System.out.printf("[transition torture] %s: %d transitions %s, %d round trips, %d mixed%n",
        sites.any() ? "free guard calls" : "guards hold", count, ends, trips.get(), mixed.get());
    assertThat(mixed.get()).isZero();
    assertThat(trips.get()).isGreaterThan(10_000);
    assertThat(ends.getOrDefault(TransitionState.COMPLETED, 0)).isGreaterThanOrEqualTo(10);
    assertThat(ends.getOrDefault(TransitionState.REVERSED, 0)).isGreaterThanOrEqualTo(3);
    assertThat(ends).doesNotContainKey(TransitionState.FORCED);
  }

  @Test
  void controlSwitchingBothMethodsAtOnceMixesRoundTrips() {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
    while (System.nanoTime() < until && mixed.get() < 20) {
      Codec.steady = 1 - Codec.steady;
      LockSupport.parkNanos(100_000);
    }

    System.out.printf("[transition torture control] %d round trips, %d mixed%n", trips.get(), mixed.get());
    assertThat(mixed.get()).isPositive();
  }
}
