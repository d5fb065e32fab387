package org.jlivepatch.agent.rt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Stacks of other threads, in the order asked, on the JDK the test runs on (17: one thread dump; 25: one by one). */
class StackSnapshotsTest {

  @Test
  void eachStackIsItsOwnThreadsInTheOrderAsked() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch parked = new CountDownLatch(2);
    Thread first = new Thread(() -> waitInFirst(parked, release), "snap-first");
    Thread second = new Thread(() -> waitInSecond(parked, release), "snap-second");
    Thread ended = new Thread(() -> { }, "snap-ended");
    first.start();
    second.start();
    ended.start();
    ended.join();
    parked.await();
    try {
      StackTraceElement[][] stacks = StackSnapshots.of(List.of(second, ended, first));

      assertThat(methods(stacks[0])).contains("waitInSecond").doesNotContain("waitInFirst");
      assertThat(stacks[1]).isEmpty();
      assertThat(methods(stacks[2])).contains("waitInFirst").doesNotContain("waitInSecond");
    } finally {
      release.countDown();
      first.join();
      second.join();
    }
  }

  private static List<String> methods(StackTraceElement[] stack) {
    return Arrays.stream(stack).map(StackTraceElement::getMethodName).toList();
  }

  private static void waitInFirst(CountDownLatch parked, CountDownLatch release) {
    parked.countDown();
    awaitQuietly(release);
  }

  private static void waitInSecond(CountDownLatch parked, CountDownLatch release) {
    parked.countDown();
    awaitQuietly(release);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
