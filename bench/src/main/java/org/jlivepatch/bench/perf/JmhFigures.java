package org.jlivepatch.bench.perf;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jlivepatch.bench.DiffBenchmark;
import org.jlivepatch.bench.SteadyStateBenchmark;
import org.jlivepatch.bench.steady.LivePatch;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Figures 4 and 5, run with JMH in forked JVMs: the differ's throughput beside a plain ASM parse
 * ({@link DiffBenchmark}, JDK of the bench only), and methods redefined raw or patched live by
 * jlivepatch beside the same code loaded directly ({@link SteadyStateBenchmark}, every JDK).
 */
final class JmhFigures {

  /** One JMH score: mean and its 99.9 % confidence half-width, in the benchmark's unit. */
  record Score(double mean, double error) {}

  /**
   * Figure 4, one pair of jars ({@code major} or {@code patch} release): their versions, classes in
   * both jars, classes of the old jar that differ, ms per diff and per parse of both.
   */
  record Build(String jdk, String pair, String versions, int classes, int differing, Score diff, Score parse) {
    double ratio() {
      return diff.mean() / parse.mean();
    }
  }

  /**
   * Figure 5 on one JDK: ns per call of each benchmark of {@link SteadyStateBenchmark}, one value
   * per round (each round runs every benchmark in one fork of its own, so a change of the machine's
   * load hits all of them alike).
   */
  record Steady(String jdk, Map<String, List<Double>> scores) {

    /** Benchmark {@code patched} over {@code direct} minus one, per round: the steady-state cost. */
    List<Double> overheads(String patched, String direct) {
      List<Double> ratios = new ArrayList<>();
      List<Double> p = scores.get(patched);
      List<Double> d = scores.get(direct);
      for (int i = 0; i < Math.min(p.size(), d.size()); i++) {
        ratios.add(p.get(i) / d.get(i) - 1);
      }
      return ratios;
    }

    /** The median of {@link #overheads}. */
    double overhead(String patched, String direct) {
      return Stats.median(overheads(patched, direct));
    }

    int rounds() {
      return scores.values().iterator().next().size();
    }
  }

  /** The benchmarks of figure 5 and what each is compared with: patched benchmark to its direct twin. */
  static final Map<String, String> STEADY_PAIRS = new LinkedHashMap<>();

  static {
    STEADY_PAIRS.put("redefined", "loadedDirectly");
    STEADY_PAIRS.put("inPlacePerThread", "loadedDirectly");
    STEADY_PAIRS.put("trampolinePerThread", "trampolineLoadedDirectly");
  }

  private JmhFigures() {}

  static List<Build> build(Env env) throws Exception {
    // The Guava releases the bench module copies beside its jar; the forks do not inherit properties.
    String jars = env.root.resolve("bench").resolve(env.buildDir).resolve("bench-jars").toString();
    System.setProperty(DiffBenchmark.JARS_PROPERTY, jars);
    ChainedOptionsBuilder options = new OptionsBuilder().include(DiffBenchmark.class.getName() + "\\.")
        .jvmArgsAppend("-D" + DiffBenchmark.JARS_PROPERTY + "=" + jars).forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(2)).measurementIterations(5)
        .measurementTime(TimeValue.seconds(2));
    Collection<RunResult> results = new Runner(options.build()).run();
    List<Build> builds = new ArrayList<>();
    for (String pair : List.of("major", "patch")) {
      DiffBenchmark sizes = new DiffBenchmark();
      sizes.pair = pair;
      sizes.readJars();
      Build build = new Build(env.jdks.get(0).name(), pair, sizes.versions(), sizes.classCount(),
          sizes.differingClasses(), score(results, pair, "diff"), score(results, pair, "parse"));
      System.out.printf("build %s, %s (%s): %d classes, %d differ, diff %.1f ms, parse %.1f ms, ratio %.2f%n",
          build.jdk(), pair, build.versions(), build.classes(), build.differing(), build.diff().mean(),
          build.parse().mean(), build.ratio());
      builds.add(build);
    }
    return builds;
  }

  static List<Steady> steady(Env env, int rounds) throws Exception {
    List<Steady> rows = new ArrayList<>();
    for (Jdk jdk : env.jdks) {
      Map<String, List<Double>> scores = new LinkedHashMap<>();
      for (int round = 0; round < rounds; round++) {
        // The raw benchmark takes the instrumentation from the floor's -javaagent; the jlivepatch ones attach
        // to their own JVM and load the real agent.
        List<String> jvmArgs = new ArrayList<>(List.of("-javaagent:" + env.floorJar, "-Djdk.attach.allowAttachSelf=true",
            "-D" + LivePatch.AGENT_PROPERTY + "=" + env.agentJar));
        jvmArgs.addAll(jdk.targetOptions());
        ChainedOptionsBuilder options = new OptionsBuilder().include(SteadyStateBenchmark.class.getName() + "\\.")
            .jvm(jdk.java().toString()).jvmArgsAppend(jvmArgs.toArray(new String[0]))
            .forks(1).warmupIterations(5).warmupTime(TimeValue.seconds(1)).measurementIterations(5)
            .measurementTime(TimeValue.seconds(1));
        Collection<RunResult> results = new Runner(options.build()).run();
        for (RunResult result : results) {
          String benchmark = result.getParams().getBenchmark();
          scores.computeIfAbsent(benchmark.substring(benchmark.lastIndexOf('.') + 1), b -> new ArrayList<>())
              .add(result.getPrimaryResult().getScore());
        }
      }
      Steady row = new Steady(jdk.name(), scores);
      STEADY_PAIRS.forEach((patched, direct) -> System.out.printf("steady %s: %s %s ns vs %s %s ns, overhead %s %%%n",
          jdk.name(), patched, Stats.spread(scores.get(patched), "%.1f"), direct, Stats.spread(scores.get(direct), "%.1f"),
          Stats.spread(row.overheads(patched, direct).stream().map(o -> o * 100).toList(), "%+.1f")));
      rows.add(row);
    }
    return rows;
  }

  private static Score score(Collection<RunResult> results, String pair, String method) {
    for (RunResult result : results) {
      if (result.getParams().getBenchmark().endsWith("." + method) && pair.equals(result.getParams().getParam("pair"))) {
        return new Score(result.getPrimaryResult().getScore(), result.getPrimaryResult().getScoreError());
      }
    }
    throw new IllegalStateException("JMH gave no result for " + method + " of the " + pair + " pair");
  }
}
