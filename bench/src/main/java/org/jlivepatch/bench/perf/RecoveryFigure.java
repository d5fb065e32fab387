package org.jlivepatch.bench.perf;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Figure 3: requests per second and p99 latency of the demo service in 100 ms buckets, 5 s before
 * to 10 s after an apply and a revert, on each JDK, with the agent attached later or loaded at
 * startup; and the same around the raw JDK mechanism on a fresh service: {@link FloorClient}
 * attaching and redefining the same class with the fix, then with the original (agent attached
 * later, or {@link RawRedefineAgent} loaded at startup). Load comes from this JVM over loopback, a
 * few closed-loop client threads; every answer is checked, every failure counted.
 */
final class RecoveryFigure {

  static final int BUCKET_MS = 100;
  static final int BEFORE_S = 5;
  static final int AFTER_S = 10;
  static final int WARMUP_S = 5;
  static final int CLIENTS = 4;

  /**
   * One configuration: the tool ({@code jlivepatch} or {@code raw}), the buckets and the moments the
   * commands started and ended (ms from start).
   */
  record Run(String jdk, String mode, String tool, long[] ok, long[] failed, double[] p99Ms, double applyStart, double applyEnd,
      double revertStart, double revertEnd) {

    /** {@code JDK 17, jlivepatch, agent attached} or {@code JDK 17, raw redefineClasses, agent at startup}. */
    String label() {
      return jdk + ", " + (tool.equals("raw") ? "raw redefineClasses" : tool) + ", agent " + mode;
    }

    double baseline(double before) {
      return rateMedian((int) ((before - BEFORE_S * 1000) / BUCKET_MS), (int) (before / BUCKET_MS));
    }

    double rateMedian(int from, int to) {
      List<Double> rates = new ArrayList<>();
      for (int i = Math.max(0, from); i < Math.min(to, ok.length); i++) {
        rates.add(ok[i] * 1000.0 / BUCKET_MS);
      }
      return Stats.median(rates);
    }

    /** Ms after {@code end} until five buckets in a row average at least 95 % of the rate before {@code start}. */
    double recoveryMs(double start, double end) {
      double target = 0.95 * baseline(start);
      for (int b = (int) (end / BUCKET_MS); b + 5 <= ok.length; b++) {
        double sum = 0;
        for (int i = b; i < b + 5; i++) {
          sum += ok[i] * 1000.0 / BUCKET_MS;
        }
        if (sum / 5 >= target) {
          return Math.max(0, b * BUCKET_MS - end);
        }
      }
      return Double.NaN;
    }

    /** Ms from the apply's start until the rate is back ({@link #recoveryMs} after its end), or NaN. */
    double fromStartMs() {
      return applyEnd - applyStart + recoveryMs(applyStart, applyEnd);
    }

    long failures() {
      return Arrays.stream(failed).sum();
    }

    double worstP99(double from, double to) {
      double worst = 0;
      for (int i = (int) (from / BUCKET_MS); i < Math.min(ok.length, (int) (to / BUCKET_MS)); i++) {
        worst = Math.max(worst, p99Ms[i]);
      }
      return worst;
    }

    double p99Median(double from, double to) {
      List<Double> values = new ArrayList<>();
      for (int i = Math.max(0, (int) (from / BUCKET_MS)); i < Math.min(ok.length, (int) (to / BUCKET_MS)); i++) {
        values.add(p99Ms[i]);
      }
      return Stats.median(values);
    }
  }

  private RecoveryFigure() {}

  /**
   * Every configuration {@code rounds} times, round by round (jlivepatch and raw alternate), each
   * run on a fresh service.
   */
  static List<Run> run(Env env, int rounds) throws Exception {
    DemoPatch patch = DemoPatch.create(env);
    List<Run> runs = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      runs.addAll(round(env, patch));
    }
    return runs;
  }

  /**
   * Per configuration (JDK, agent mode, tool), the run whose time from the apply's start until the
   * rate is back is the median of the configuration's runs (not back in time counts as longest).
   */
  static List<Run> medianRuns(List<Run> all) {
    java.util.Map<String, List<Run>> byConfiguration = new java.util.LinkedHashMap<>();
    for (Run run : all) {
      byConfiguration.computeIfAbsent(run.jdk() + "|" + run.mode() + "|" + run.tool(), k -> new ArrayList<>()).add(run);
    }
    List<Run> medians = new ArrayList<>();
    for (List<Run> runs : byConfiguration.values()) {
      List<Run> sorted = new ArrayList<>(runs);
      sorted.sort(java.util.Comparator.comparingDouble(r -> Double.isNaN(r.fromStartMs()) ? Double.MAX_VALUE : r.fromStartMs()));
      medians.add(sorted.get((sorted.size() - 1) / 2));
    }
    return medians;
  }

  private static List<Run> round(Env env, DemoPatch patch) throws Exception {
    List<Run> runs = new ArrayList<>();
    // perf.recoveryOnly=TEXT runs only the configurations whose "JDK NN|mode" contains TEXT (a diagnosis aid).
    String only = System.getProperty("perf.recoveryOnly", "");
    for (Jdk jdk : env.jdks) {
      for (String mode : List.of("attached", "at startup")) {
        if (!(jdk.name() + "|" + mode).contains(only)) {
          continue;
        }
        boolean atStartup = mode.equals("at startup");
        runs.add(measure(env, jdk, mode, "jlivepatch", atStartup ? List.of("-javaagent:" + env.agentJar) : List.of(),
            env.cli(jdk, "apply", "PID", patch.payload().toString()), env.cli(jdk, "revert", "PID", DemoPatch.ID)));
        List<String> floor = List.of(jdk.java().toString(), "-cp", env.floorJar.toString(), FloorClient.class.getName(),
            "PID", env.floorJar.toString());
        runs.add(measure(env, jdk, mode, "raw", atStartup ? List.of("-javaagent:" + env.floorJar) : List.of(),
            with(floor, patch.classesDir().toString()), with(floor, patch.baseDir().toString())));
      }
    }
    return runs;
  }

  private static List<String> with(List<String> command, String last) {
    List<String> all = new ArrayList<>(command);
    all.add(last);
    return all;
  }

  /** The command with its {@code PID} argument replaced by {@code pid}. */
  private static List<String> forPid(List<String> command, String pid) {
    return command.stream().map(a -> a.equals("PID") ? pid : a).toList();
  }

  private static Run measure(Env env, Jdk jdk, String mode, String tool, List<String> options, List<String> apply,
      List<String> revert) throws Exception {
    int seconds = WARMUP_S + BEFORE_S + AFTER_S + AFTER_S + 2;
    int buckets = seconds * 1000 / BUCKET_MS;
    long[] ok = new long[buckets];
    long[] failed = new long[buckets];
    List<List<Long>> latencies = new ArrayList<>();
    for (int i = 0; i < buckets; i++) {
      latencies.add(new ArrayList<>());
    }
    // perf.serviceOptions: extra JVM options for the service, split at spaces; {run} becomes the
    // configuration's name (for log files), e.g. -Xlog:deoptimization=debug:file=/tmp/{run}.log
    String run = jdk.feature() + "-" + mode.replace(' ', '-') + "-" + tool;
    List<String> serviceOptions = new ArrayList<>(options);
    for (String option : System.getProperty("perf.serviceOptions", "").split(" ")) {
      if (!option.isBlank()) {
        serviceOptions.add(option.replace("{run}", run));
      }
    }
    try (Proc.Target target = new Proc.Target(DemoPatch.service(env, jdk, serviceOptions), env.work.resolve("recovery-target.err"))) {
      String port = target.await("listening on", 60);
      String pid = Long.toString(target.pid());
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/greet?name=load"))
          .timeout(Duration.ofSeconds(5)).build();
      long start = System.nanoTime();
      long end = start + seconds * 1_000_000_000L;
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < CLIENTS; t++) {
        Thread thread = new Thread(() -> {
          while (System.nanoTime() < end) {
            long sent = System.nanoTime();
            boolean success;
            try {
              HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
              success = response.statusCode() == 200 && response.body().startsWith("Hello, load!");
            } catch (InterruptedException e) {
              return;
            } catch (Exception e) {
              success = false;
            }
            long done = System.nanoTime();
            int bucket = (int) ((done - start) / 1_000_000 / BUCKET_MS);
            if (bucket < buckets) {
              synchronized (latencies.get(bucket)) {
                (success ? ok : failed)[bucket]++;
                latencies.get(bucket).add(done - sent);
              }
            }
          }
        }, "load-" + t);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
      sleepUntil(start, (WARMUP_S + BEFORE_S) * 1000);
      double applyStart = ms(start);
      Proc.check(forPid(apply, pid), 60);
      double applyEnd = ms(start);
      sleepUntil(start, (long) applyEnd + AFTER_S * 1000);
      double revertStart = ms(start);
      Proc.check(forPid(revert, pid), 60);
      double revertEnd = ms(start);
      for (Thread thread : threads) {
        thread.join(10_000);
      }
      double[] p99 = new double[buckets];
      for (int i = 0; i < buckets; i++) {
        List<Long> values = latencies.get(i);
        synchronized (values) {
          if (!values.isEmpty()) {
            long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
            p99[i] = sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)] / 1e6;
          }
        }
      }
      Run result = new Run(jdk.name(), mode, tool, ok, failed, p99, applyStart, applyEnd, revertStart, revertEnd);
      System.out.printf("recovery %s %-10s %-10s baseline %.0f req/s, apply %.0f ms, back in %.0f ms; revert back in %.0f ms; "
          + "failed %d%n", jdk.name(), mode, tool, result.baseline(applyStart), applyEnd - applyStart,
          result.recoveryMs(applyStart, applyEnd), result.recoveryMs(revertStart, revertEnd), result.failures());
      if (Boolean.getBoolean("perf.recoveryTrace")) {
        StringBuilder trace = new StringBuilder("recovery trace " + run + " (req/s per 100 ms from 1 s before the apply):");
        for (int b = Math.max(0, (int) (applyStart / BUCKET_MS) - 10); b < Math.min(buckets, (int) (applyEnd / BUCKET_MS) + 60); b++) {
          trace.append(' ').append(ok[b] * 1000 / BUCKET_MS);
        }
        System.out.println(trace);
      }
      return result;
    }
  }

  private static double ms(long start) {
    return (System.nanoTime() - start) / 1e6;
  }

  private static void sleepUntil(long start, long ms) throws InterruptedException {
    long wait = ms - (long) ms(start);
    if (wait > 0) {
      Thread.sleep(wait);
    }
  }
}
