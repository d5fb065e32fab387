package org.jlivepatch.bench.perf;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jlivepatch.bench.DiffBenchmark;
import org.jlivepatch.bench.SteadyStateBenchmark;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Figures 4 and 5, run with JMH in forked JVMs: the differ's throughput beside a plain ASM parse
 * ({@link DiffBenchmark}, JDK of the bench only), and a redefined method beside the same method
 * loaded directly ({@link SteadyStateBenchmark}, every JDK).
 */
final class JmhFigures {

  /** One JMH score: mean and its 99.9 % confidence half-width, in the benchmark's unit. */
  record Score(double mean, double error) {}

  /** Figure 4: classes in both jars, ms per diff and per parse of both. */
  record Build(String jdk, int classes, Score diff, Score parse) {
    double ratio() {
      return diff.mean() / parse.mean();
    }
  }

  /** Figure 5 on one JDK: ns per call, loaded directly and redefined. */
  record Steady(String jdk, Score direct, Score redefined, int forks) {
    /** Redefined over direct, minus one: the steady-state cost of a redefinition. */
    double overhead() {
      return redefined.mean() / direct.mean() - 1;
    }

    /** The two intervals' half-widths together, relative to the direct mean: differences below it are noise. */
    double noise() {
      return (direct.error() + redefined.error()) / direct.mean();
    }
  }

  private JmhFigures() {}

  static Build build(Env env) throws Exception {
    // The Guava releases the bench module copies beside its jar; the forks do not inherit properties.
    String jars = env.root.resolve("bench").resolve(env.buildDir).resolve("bench-jars").toString();
    System.setProperty(DiffBenchmark.JARS_PROPERTY, jars);
    DiffBenchmark sizes = new DiffBenchmark();
    sizes.readJars();
    ChainedOptionsBuilder options = new OptionsBuilder().include(DiffBenchmark.class.getName() + "\\.")
        .jvmArgsAppend("-D" + DiffBenchmark.JARS_PROPERTY + "=" + jars).forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(2)).measurementIterations(5)
        .measurementTime(TimeValue.seconds(2));
    Collection<RunResult> results = new Runner(options.build()).run();
    Build build = new Build(env.jdks.get(0).name(), sizes.classCount(), score(results, "diff"), score(results, "parse"));
    System.out.printf("build %s: %d classes, diff %.1f ms, parse %.1f ms, ratio %.2f%n", build.jdk(), build.classes(),
        build.diff().mean(), build.parse().mean(), build.ratio());
    return build;
  }

  static List<Steady> steady(Env env, int forks) throws Exception {
    List<Steady> rows = new ArrayList<>();
    for (Jdk jdk : env.jdks) {
      ChainedOptionsBuilder options = new OptionsBuilder().include(SteadyStateBenchmark.class.getName() + "\\.")
          .jvm(jdk.java().toString()).jvmArgsAppend("-javaagent:" + env.floorJar)
          .forks(forks).warmupIterations(5).warmupTime(TimeValue.seconds(1)).measurementIterations(5)
          .measurementTime(TimeValue.seconds(1));
      Collection<RunResult> results = new Runner(options.build()).run();
      Steady row = new Steady(jdk.name(), score(results, "loadedDirectly"), score(results, "redefined"), forks);
      System.out.printf("steady %s: direct %.1f ns, redefined %.1f ns, overhead %+.1f %%%n", jdk.name(),
          row.direct().mean(), row.redefined().mean(), row.overhead() * 100);
      rows.add(row);
    }
    return rows;
  }

  private static Score score(Collection<RunResult> results, String method) {
    for (RunResult result : results) {
      if (result.getParams().getBenchmark().endsWith("." + method)) {
        return new Score(result.getPrimaryResult().getScore(), result.getPrimaryResult().getScoreError());
      }
    }
    throw new IllegalStateException("JMH gave no result for " + method);
  }
}
