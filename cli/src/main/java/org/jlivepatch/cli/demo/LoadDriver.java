package org.jlivepatch.cli.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Drives requests at the demo service from a few threads and counts the answers per 100 ms bucket,
 * so that the request rate before, during and after a patch can be read off, and every failed
 * request is counted. Bounded: it stops by itself after {@code maxDuration}.
 */
public final class LoadDriver implements AutoCloseable {

  /** The width of one bucket. */
  public static final Duration BUCKET = Duration.ofMillis(100);

  private final URI uri;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private final long startNanos = System.nanoTime();
  private final long endNanos;
  private final AtomicLongArray ok;
  private final AtomicLongArray failed;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  /** Starts {@code threads} threads sending {@code GET /greet?name=load} to the service on {@code port}. */
  public LoadDriver(int port, int threads, Duration maxDuration) {
    this.uri = URI.create("http://127.0.0.1:" + port + "/greet?name=load");
    int buckets = (int) (maxDuration.toMillis() / BUCKET.toMillis()) + 1;
    this.ok = new AtomicLongArray(buckets);
    this.failed = new AtomicLongArray(buckets);
    this.endNanos = startNanos + maxDuration.toNanos();
    for (int i = 0; i < threads; i++) {
      Thread thread = new Thread(this::drive, "jlivepatch-demo-load-" + i);
      thread.setDaemon(true);
      this.threads.add(thread);
      thread.start();
    }
  }

  private void drive() {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
    while (running && System.nanoTime() < endNanos) {
      boolean success;
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        success = response.statusCode() == 200 && response.body().startsWith("Hello, load!");
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        success = false;
      }
      int bucket = bucketAt(System.nanoTime());
      if (bucket < ok.length()) {
        (success ? ok : failed).incrementAndGet(bucket);
      }
    }
  }

  /** Nanoseconds since the driver started; marks the moments the rates are read between. */
  public long now() {
    return System.nanoTime() - startNanos;
  }

  /** Successful requests per second between two {@link #now()} marks, by whole buckets. */
  public double rate(long fromNanos, long toNanos) {
    int from = bucketAt(startNanos + fromNanos);
    int to = Math.min(bucketAt(startNanos + toNanos), ok.length());
    if (to <= from) {
      return 0;
    }
    long count = 0;
    for (int i = from; i < to; i++) {
      count += ok.get(i);
    }
    return count * 1000.0 / ((to - from) * BUCKET.toMillis());
  }

  /** All successful requests so far. */
  public long succeeded() {
    return sum(ok);
  }

  /** All failed requests so far: errors, timeouts, wrong answers. */
  public long failed() {
    return sum(failed);
  }

  private int bucketAt(long nanos) {
    return (int) ((nanos - startNanos) / BUCKET.toNanos());
  }

  private static long sum(AtomicLongArray counts) {
    long total = 0;
    for (int i = 0; i < counts.length(); i++) {
      total += counts.get(i);
    }
    return total;
  }

  /** Stops the threads and waits for them briefly. */
  @Override
  public void close() {
    running = false;
    for (Thread thread : threads) {
      try {
        thread.join(6000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
