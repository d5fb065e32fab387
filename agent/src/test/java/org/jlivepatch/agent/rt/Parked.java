package org.jlivepatch.agent.rt;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A thread doing one {@link Codec#roundTrip} that waits inside encode, or between encode and decode, until released. */
final class Parked implements AutoCloseable {

  /** Where the thread waits. */
  enum Where { IN_ENCODE, BETWEEN }

  final Thread thread;
  private final CountDownLatch inside = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final CompletableFuture<Codec.Trip> trip = new CompletableFuture<>();

  private Parked(String name, Where where, boolean virtual) {
    Runnable hold = () -> {
      inside.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    Runnable body = () -> {
      try {
        trip.complete(where == Where.IN_ENCODE ? Codec.roundTrip(hold, Codec.NOTHING)
            : Codec.roundTrip(Codec.NOTHING, hold));
      } catch (Throwable t) {
        trip.completeExceptionally(t);
      }
    };
    this.thread = virtual ? unstartedVirtual(body) : new Thread(body);
    thread.setName(name);
    if (!virtual) {
      thread.setDaemon(true);
    }
  }

  /** Starts a platform thread and returns once it waits at {@code where}. */
  static Parked start(String name, Where where) throws InterruptedException {
    return start(name, where, false);
  }

  /** Starts a thread, virtual if asked (JDK 21+), and returns once it waits at {@code where}. */
  static Parked start(String name, Where where, boolean virtual) throws InterruptedException {
    Parked parked = new Parked(name, where, virtual);
    parked.thread.start();
    if (!parked.inside.await(5, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " did not reach " + where);
    }
    return parked;
  }

  /** Lets the thread finish its round trip and returns what it ran. */
  Codec.Trip release() throws Exception {
    release.countDown();
    return trip.get(5, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    release.countDown();
    try {
      thread.join(Duration.ofSeconds(5).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread unstartedVirtual(Runnable body) {
    try {
      Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
      Method unstarted = Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class);
      return (Thread) unstarted.invoke(builder, body);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("virtual threads need JDK 21+: " + e, e);
    }
  }
}
