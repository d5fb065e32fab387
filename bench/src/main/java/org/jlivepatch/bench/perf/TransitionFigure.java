package org.jlivepatch.bench.perf;

import java.util.ArrayList;
import java.util.List;

/**
 * How long a per-thread apply and revert take while {@code K} threads call the patched code, beside
 * an immediate apply and revert of the same patch ({@link LoadApp}'s codec patch: encode and decode
 * changed together, the round trip a guard). Commands go over one attachment by the agent protocol
 * ({@link AgentClient}), so no CLI JVM shares the cores; per command: the wall time to its final
 * result, the agent's own {@code transition.ms} and its time in {@code redefineClasses}. The
 * target's workers count round trips that mixed the two versions.
 */
final class TransitionFigure {

  /**
   * One JDK and load: ms per command, and what went wrong.
   *
   * @param reversed per-thread commands that did not complete within the agent's default timeout (5 s) and were reversed
   * @param mixedPerThread round trips that mixed versions across the per-thread commands
   * @param mixedImmediate the same across the immediate ones
   * @param tripsPerSecond the workers' round trips per second before the first command
   */
  record Row(String jdk, int threads, String load, List<Double> applyWall, List<Double> applyTransition,
      List<Double> applyRedefine, List<Double> revertWall, List<Double> revertTransition,
      List<Double> immediateApplyWall, List<Double> immediateApplyRedefine, List<Double> immediateRevertWall,
      int reversed, long mixedPerThread, long mixedImmediate, double tripsPerSecond) {}

  private TransitionFigure() {}

  /**
   * @param loads what each worker does after a round trip: {@code park:N} parks N µs (a server
   *     thread between requests), {@code busy:N} runs N iterations of arithmetic and goes on
   */
  static List<Row> run(Env env, List<Integer> threadCounts, List<String> loads, int rounds) throws Exception {
    LoadApp app = LoadApp.create(env.work);
    List<Row> rows = new ArrayList<>();
    for (Jdk jdk : env.jdks) {
      for (String load : loads) {
        for (int k : threadCounts) {
          rows.add(measure(env, jdk, app, k, load.trim(), rounds));
        }
      }
    }
    return rows;
  }

  /** The load as the page says it. */
  static String describe(String load) {
    String[] parts = load.split(":");
    return parts[0].equals("park") ? "parks " + parts[1] + " µs after each round trip"
        : "busy: " + Stats.f("%,d", Integer.parseInt(parts[1])) + " iterations of own arithmetic after each round trip";
  }

  private static Row measure(Env env, Jdk jdk, LoadApp app, int k, String load, int rounds) throws Exception {
    String[] spec = load.split(":");
    if (spec.length != 2 || !(spec[0].equals("park") || spec[0].equals("busy"))) {
      throw new IllegalArgumentException("a load is park:MICROS or busy:ITERATIONS, not '" + load + "'");
    }
    int amount = Integer.parseInt(spec[1]);
    int own = spec[0].equals("busy") ? amount : 0;
    int park = spec[0].equals("park") ? amount : 0;
    List<Double> applyWall = new ArrayList<>();
    List<Double> applyTransition = new ArrayList<>();
    List<Double> applyRedefine = new ArrayList<>();
    List<Double> revertWall = new ArrayList<>();
    List<Double> revertTransition = new ArrayList<>();
    List<Double> immediateApplyWall = new ArrayList<>();
    List<Double> immediateApplyRedefine = new ArrayList<>();
    List<Double> immediateRevertWall = new ArrayList<>();
    int reversed = 0;
    long mixedPerThread = 0;
    long mixedImmediate = 0;
    double tripsPerSecond;
    try (Proc.Target target = new Proc.Target(app.command(jdk, k, own, park, List.of()), env.work.resolve("transition-target.err"))) {
      target.await("ready", 60);
      Thread.sleep(2000); // let the workers' loops get compiled
      long[] before = stats(target);
      Thread.sleep(1000);
      long[] after = stats(target);
      tripsPerSecond = after[0] - before[0];
      try (AgentClient agent = new AgentClient(target.pid(), env.agentJar)) {
        // Not counted: loads the agent and its transition classes.
        agent.apply(app.codecPayload, IMMEDIATE).check("apply");
        agent.revert(LoadApp.CODEC_ID, IMMEDIATE).check("revert");
        for (int round = 0; round < rounds; round++) {
          long mixed = stats(target)[1];
          AgentClient.Result apply = agent.apply(app.codecPayload, PER_THREAD);
          if (apply.exitCode() == 4) {
            reversed++; // reversed at the timeout: nothing changed, nothing to revert
          } else {
            apply.check("per-thread apply");
            applyWall.add(apply.wallMs());
            applyTransition.add(apply.transitionMs());
            applyRedefine.add(apply.redefineMs());
            AgentClient.Result revert = agent.revert(LoadApp.CODEC_ID, PER_THREAD);
            if (revert.exitCode() == 4) {
              reversed++;
            } else {
              revert.check("per-thread revert");
              revertWall.add(revert.wallMs());
              revertTransition.add(revert.transitionMs());
            }
          }
          Thread.sleep(50); // the workers add their counts every 256 round trips
          mixedPerThread += stats(target)[1] - mixed;
          if (!agent.status().getProperty("stack.0.id", "").isEmpty()) {
            // A per-thread revert was reversed: revert at once so that the next round starts from the original.
            // That switch can mix, like any immediate one: it counts with them.
            mixed = stats(target)[1];
            agent.revert(LoadApp.CODEC_ID, IMMEDIATE).check("immediate revert after a reversed one");
            Thread.sleep(50);
            mixedImmediate += stats(target)[1] - mixed;
          }

          mixed = stats(target)[1];
          AgentClient.Result immediate = agent.apply(app.codecPayload, IMMEDIATE).check("immediate apply");
          immediateApplyWall.add(immediate.wallMs());
          immediateApplyRedefine.add(immediate.redefineMs());
          immediateRevertWall.add(agent.revert(LoadApp.CODEC_ID, IMMEDIATE).check("immediate revert").wallMs());
          Thread.sleep(50);
          mixedImmediate += stats(target)[1] - mixed;
        }
      }
    }
    Row row = new Row(jdk.name(), k, load, applyWall, applyTransition, applyRedefine, revertWall, revertTransition,
        immediateApplyWall, immediateApplyRedefine, immediateRevertWall, reversed, mixedPerThread, mixedImmediate,
        tripsPerSecond);
    System.out.printf("transition %s, %d threads, %s: per-thread apply %s ms (transition %s ms, redefine %s ms),"
        + " revert %s ms (transition %s ms); immediate apply %s ms (redefine %s ms), revert %s ms; reversed %d;"
        + " mixed %d per-thread, %d immediate; %.0f round trips/s%n", jdk.name(), k, load,
        Stats.spread(applyWall, "%.0f"), Stats.spread(applyTransition, "%.0f"), Stats.spread(applyRedefine, "%.1f"),
        Stats.spread(revertWall, "%.0f"), Stats.spread(revertTransition, "%.0f"), Stats.spread(immediateApplyWall, "%.0f"),
        Stats.spread(immediateApplyRedefine, "%.1f"), Stats.spread(immediateRevertWall, "%.0f"), reversed, mixedPerThread,
        mixedImmediate, tripsPerSecond);
    return row;
  }

  /** The target's round trips and mixed round trips so far. */
  private static long[] stats(Proc.Target target) throws Exception {
    String[] parts = LoadApp.ask(target, "stats").split(" ");
    return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
  }

  private static final String IMMEDIATE = "immediate";
  private static final String PER_THREAD = "per-thread";
}
