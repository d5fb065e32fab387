package org.jlivepatch.bench.perf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs every performance figure and writes {@code docs/performance.md}. Arguments:
 * {@code ROOT BUILD_DIR [FIGURE…]} where figures are {@code pause latency recovery build steady
 * transition metaspace} (all by default). Started by {@code bench/run-all.sh}.
 */
public final class PerfRun {

  private PerfRun() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]).toAbsolutePath().normalize();
    String buildDir = args[1];
    List<String> figures = args.length > 2 ? List.of(args).subList(2, args.length) : List.of("pause", "latency", "recovery", "build", "steady",
        "transition", "metaspace");
    Env env = new Env(root, buildDir, root.resolve("bench").resolve(buildDir).resolve("perf-work"));
    int rounds = Integer.getInteger("perf.rounds", 5);
    Report report = new Report(env);
    if (figures.contains("pause")) {
      report.pause = PauseFigure.run(env, sizes(), rounds);
    }
    if (figures.contains("latency")) {
      report.latency = LatencyFigure.run(env, Integer.getInteger("perf.latencyRounds", 5));
    }
    if (figures.contains("recovery")) {
      report.recoveryAll = RecoveryFigure.run(env, Integer.getInteger("perf.recoveryRounds", 3));
      report.recovery = RecoveryFigure.medianRuns(report.recoveryAll);
      Timeline.draw(report.recovery, root.resolve("docs/performance-recovery.png"));
    }
    if (figures.contains("build")) {
      report.builds = JmhFigures.build(env);
      report.sourceFix = SourceFixTiming.run(env, Integer.getInteger("perf.buildRounds", 3));
    }
    if (figures.contains("steady")) {
      report.steady = JmhFigures.steady(env, Integer.getInteger("perf.steadyForks", 3));
    }
    if (figures.contains("transition")) {
      report.transition = TransitionFigure.run(env, ints("perf.transitionThreads", "1,4,16"),
          List.of(System.getProperty("perf.transitionLoads", "park:100,busy:1000").split(",")),
          Integer.getInteger("perf.transitionRounds", 5));
    }
    if (figures.contains("metaspace")) {
      report.metaspace = MetaspaceFigure.run(env, Integer.getInteger("perf.cycles", 1000),
          Integer.getInteger("perf.cycleSample", 100),
          List.of(System.getProperty("perf.metaspaceSeries", String.join(",", MetaspaceFigure.SERIES)).split(",")),
          Long.getLong("perf.metaspaceCapMb", 256) * 1024 * 1024);
    }
    report.write(root.resolve("docs/performance.md"));
  }

  private static List<Integer> ints(String property, String defaults) {
    List<Integer> values = new ArrayList<>();
    for (String s : System.getProperty(property, defaults).split(",")) {
      values.add(Integer.parseInt(s.trim()));
    }
    return values;
  }

  private static List<Integer> sizes() {
    List<Integer> sizes = new ArrayList<>();
    for (String s : System.getProperty("perf.sizes", "1,10,100,1000").split(",")) {
      sizes.add(Integer.parseInt(s.trim()));
    }
    return sizes;
  }
}
