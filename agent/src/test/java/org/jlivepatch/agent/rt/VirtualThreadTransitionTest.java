package org.jlivepatch.agent.rt;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jlivepatch.agent.rt.Parked.Where;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/**
 * Virtual threads (JDK 21+; the agent module's jdk25 test run): enumerated through the JDK's thread
 * containers, held and reported like platform threads, moved from outside while unmounted.
 */
@EnabledForJreRange(min = JRE.JAVA_21)
class VirtualThreadTransitionTest {

  private static LiveThreads live;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeAll
  static void enumerateVirtualThreads() {
    live = new LiveThreads(null);
    assertThat(live.visibility()).as("%s (the surefire argLine exports jdk.internal.vm)", live.reason())
        .isEqualTo(LiveThreads.Visibility.VISIBLE);
    assertThat(live.virtualThreads()).isEqualTo("visible");
  }

  @BeforeEach
  void steadyAtVersionZero() {
    Codec.reset();
  }

  @AfterEach
  void releaseAll() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    Codec.reset();
  }

  private Transition started(Duration timeout, boolean force) {
    Transition t = new Transition("apply", "vt", Codec.methods(), Codec.guards(), timeout, force, live);
    Codec.install(t, 1);
    t.start();
    return t;
  }

  @Test
  void aVirtualThreadParkedInOldCodeIsSeenAndHoldsTheTransition() throws Exception {
    Parked parked = Parked.start("virtual-in-encode", Where.IN_ENCODE, true);
    closing.add(parked);
    assertThat(LiveThreads.isVirtual(parked.thread)).isTrue();
    assertThat(live.all()).contains(parked.thread);
    Transition t = started(Duration.ofSeconds(5), false);

    TransitionStatus status = t.status();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (status.stragglers().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(5);
      status = t.status();
    }

    assertThat(status.state()).isEqualTo(TransitionState.RUNNING);
    assertThat(status.virtualThreads()).isEqualTo(LiveThreads.Visibility.VISIBLE);
    assertThat(status.stragglers()).hasSize(1);
    Straggler s = status.stragglers().get(0);
    assertThat(s.name()).isEqualTo("virtual-in-encode");
    assertThat(s.virtual()).isTrue();
    assertThat(s.id()).isEqualTo(parked.thread.getId());
    assertThat(s.frame()).startsWith("org.jlivepatch.agent.rt.Codec.encode(Codec.java:");
    assertThat(s.stackText()).contains("Codec.roundTrip(Codec.java:");

    assertThat(parked.release()).isEqualTo(new Codec.Trip(0, 0));
    assertThat(t.await(Duration.ofSeconds(2)).state()).isEqualTo(TransitionState.COMPLETED);
  }

  @Test
  void atTheTimeoutAVirtualStragglerReversesTheTransitionAndStaysConsistent() throws Exception {
    Parked parked = Parked.start("virtual-in-encode", Where.IN_ENCODE, true);
    closing.add(parked);
    Transition t = started(Duration.ofMillis(200), false);

    TransitionStatus end = t.await(Duration.ofSeconds(2));

    assertThat(end.state()).isEqualTo(TransitionState.REVERSED);
    assertThat(parked.release()).isEqualTo(new Codec.Trip(0, 0));
  }

  @Test
  void idleVirtualThreadsAreMovedFromOutsideAndNewOnesTakeTheNewCode() throws Exception {
    CountDownLatch idle = new CountDownLatch(1);
    List<Thread> sleepers = new ArrayList<>();
    Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
    Method start = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
    for (int i = 0; i < 200; i++) {
      sleepers.add((Thread) start.invoke(builder, (Runnable) () -> {
        try {
          idle.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    closing.add(() -> {
      idle.countDown();
      for (Thread v : sleepers) {
        v.join(5000);
      }
    });
    Parked holder = Parked.start("holder", Where.IN_ENCODE, true);
    closing.add(holder);
    Transition t = started(Duration.ofSeconds(5), false);

    // Every thread but the holder moved, the 200 idle virtual threads from outside.
    TransitionStatus status = t.status();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while ((status.threads() < 201 || status.switched() != status.threads() - 1) && System.nanoTime() < deadline) {
      Thread.sleep(5);
      status = t.status();
    }
    assertThat(status.threads()).isGreaterThanOrEqualTo(201);
    assertThat(status.switched()).isEqualTo(status.threads() - 1);
    assertThat(status.stragglers()).extracting(Straggler::name).containsExactly("holder");

    Parked fresh = Parked.start("fresh-virtual", Where.BETWEEN, true);
    closing.add(fresh);
    assertThat(fresh.release()).isEqualTo(new Codec.Trip(1, 1));
    assertThat(holder.release()).isEqualTo(new Codec.Trip(0, 0));
    assertThat(t.await(Duration.ofSeconds(2)).state()).isEqualTo(TransitionState.COMPLETED);
  }
}
