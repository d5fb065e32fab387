package org.jlivepatch.bench.perf;

import com.sun.tools.attach.VirtualMachine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Figure 1: how long the target stops for an apply, read from its own {@code -Xlog:safepoint}, for
 * patches of 1 to 1,000 classes, beside the raw {@code redefineClasses} of the same bytes in the
 * same JVM. Each round runs: raw v1→v2, raw v2→v1, {@code jlivepatch apply --consistency
 * immediate} v1→v2 and its revert (in place: one redefinition each), then {@code jlivepatch apply}
 * and {@code revert} with per-thread consistency (a gate redefinition, the transition, a second
 * redefinition to the steady form); so each jlivepatch switch has a raw twin doing the same
 * transition with the same bytes. Not counted: one raw switch first (on JDK 17 the first
 * redefinition after a dynamic attach also throws away all compiled code), and one apply and
 * revert of each kind that load the agent; raw switches before the agent loads are kept apart, to
 * show what the agent's own classes add to every later redefinition.
 */
final class PauseFigure {

  /** The medians for one JDK and patch size, in microseconds of safepoint time. */
  record Row(String jdk, int classes, List<Double> apply, List<Double> rawApply, List<Double> revert,
      List<Double> rawRevert, List<Double> applyOther, List<Double> rawBeforeAgent, long applySafepoints,
      long classesBeforeAgent, long classesAfterAgent, PerThread perThread) {

    double ratio() {
      return Stats.median(apply) / Stats.median(rawApply);
    }

    /** Per-thread apply, all its redefinitions together, over the raw switch. */
    double perThreadRatio() {
      return Stats.median(perThread.apply()) / Stats.median(rawApply);
    }

    /** Per-thread apply, its longest single redefinition, over the raw switch. */
    double perThreadLongestRatio() {
      return Stats.median(perThread.longest()) / Stats.median(rawApply);
    }

    /** Raw pause after the agent loaded over raw pause before: what the agent's own classes cost. */
    double agentFootprint() {
      return Stats.median(rawApply) / Stats.median(rawBeforeAgent);
    }
  }

  /**
   * The per-thread commands of one row, µs of {@code RedefineClasses} safepoint time: each apply's
   * sum and its longest single safepoint, each revert's sum; the most safepoints one apply had.
   */
  record PerThread(List<Double> apply, List<Double> longest, List<Double> revert, long safepoints) {}

  private PauseFigure() {}

  static List<Row> run(Env env, List<Integer> sizes, int rounds) throws Exception {
    List<Row> rows = new ArrayList<>();
    for (int n : sizes) {
      GeneratedApp app = GeneratedApp.create(n, env.work);
      for (Jdk jdk : env.jdks) {
        rows.add(measure(env, jdk, app, rounds));
      }
    }
    return rows;
  }

  private static final String IMMEDIATE = "immediate";
  private static final String PER_THREAD = "per-thread";

  private static Row measure(Env env, Jdk jdk, GeneratedApp app, int rounds) throws Exception {
    Path log = env.work.resolve("safepoint-" + jdk.feature() + "-" + app.classes + ".log");
    java.nio.file.Files.deleteIfExists(log);
    SafepointLog safepoints = new SafepointLog(log);
    List<Double> apply = new ArrayList<>();
    List<Double> rawApply = new ArrayList<>();
    List<Double> revert = new ArrayList<>();
    List<Double> rawRevert = new ArrayList<>();
    List<Double> applyOther = new ArrayList<>();
    List<Double> rawBeforeAgent = new ArrayList<>();
    long applySafepoints = 0;
    List<Double> perThreadApply = new ArrayList<>();
    List<Double> perThreadLongest = new ArrayList<>();
    List<Double> perThreadRevert = new ArrayList<>();
    long perThreadSafepoints = 0;
    long classesBeforeAgent;
    long classesAfterAgent;
    try (Proc.Target target = new Proc.Target(app.command(jdk, List.of("-Xlog:safepoint=info:file=" + log)),
        env.work.resolve("pause-target.err"))) {
      target.await("ready", 60);
      Thread.sleep(1000); // let the work loop get compiled
      String pid = Long.toString(target.pid());
      VirtualMachine vm = VirtualMachine.attach(pid);
      try {
        raw(vm, env, app.originalDir, safepoints); // not counted: JDK 17 deoptimises everything once
        for (int round = 0; round < rounds; round++) {
          rawBeforeAgent.add(raw(vm, env, app.patchedDir, safepoints));
          raw(vm, env, app.originalDir, safepoints);
        }
        classesBeforeAgent = loadedClasses(jdk, pid);
        // Not counted: loads the agent (and its transition classes). Its classes make every later redefinition
        // walk more classes.
        for (String consistency : List.of(IMMEDIATE, PER_THREAD)) {
          Proc.check(env.cli(jdk, "apply", pid, app.payload.toString(), "--consistency", consistency), 120);
          Proc.check(env.cli(jdk, "revert", pid, "gen-" + app.classes, "--consistency", consistency), 120);
        }
        for (int round = 0; round < rounds; round++) {
          rawApply.add(raw(vm, env, app.patchedDir, safepoints));
          rawRevert.add(raw(vm, env, app.originalDir, safepoints));
          safepoints.mark();
          Proc.check(env.cli(jdk, "apply", pid, app.payload.toString(), "--consistency", IMMEDIATE), 120);
          List<SafepointLog.Safepoint> applied = safepoints.since();
          apply.add(SafepointLog.redefineMicros(applied));
          applyOther.add(SafepointLog.allMicros(applied) - SafepointLog.redefineMicros(applied));
          applySafepoints = Math.max(applySafepoints, SafepointLog.redefineCount(applied));
          safepoints.mark();
          Proc.check(env.cli(jdk, "revert", pid, "gen-" + app.classes, "--consistency", IMMEDIATE), 120);
          revert.add(SafepointLog.redefineMicros(safepoints.since()));
          safepoints.mark();
          Proc.check(env.cli(jdk, "apply", pid, app.payload.toString(), "--consistency", PER_THREAD), 120);
          applied = safepoints.since();
          perThreadApply.add(SafepointLog.redefineMicros(applied));
          perThreadLongest.add(SafepointLog.longestRedefineMicros(applied));
          perThreadSafepoints = Math.max(perThreadSafepoints, SafepointLog.redefineCount(applied));
          safepoints.mark();
          Proc.check(env.cli(jdk, "revert", pid, "gen-" + app.classes, "--consistency", PER_THREAD), 120);
          perThreadRevert.add(SafepointLog.redefineMicros(safepoints.since()));
        }
        classesAfterAgent = loadedClasses(jdk, pid);
      } finally {
        vm.detach();
      }
    }
    Row row = new Row(jdk.name(), app.classes, apply, rawApply, revert, rawRevert, applyOther, rawBeforeAgent, applySafepoints,
        classesBeforeAgent, classesAfterAgent, new PerThread(perThreadApply, perThreadLongest, perThreadRevert,
            perThreadSafepoints));
    System.out.printf("pause %s %4d classes: apply %s us, raw %s us, revert %s us, raw %s us, ratio %.2f, raw before agent %s us,"
        + " loaded classes %d before the agent, %d after; per-thread apply %s us (longest %s us, at most %d safepoints),"
        + " revert %s us%n",
        jdk.name(), app.classes, Stats.spread(apply, "%.0f"), Stats.spread(rawApply, "%.0f"),
        Stats.spread(revert, "%.0f"), Stats.spread(rawRevert, "%.0f"), row.ratio(), Stats.spread(rawBeforeAgent, "%.0f"),
        classesBeforeAgent, classesAfterAgent, Stats.spread(perThreadApply, "%.0f"), Stats.spread(perThreadLongest, "%.0f"),
        perThreadSafepoints, Stats.spread(perThreadRevert, "%.0f"));
    return row;
  }

  /**
   * The classes loaded in the target: the class lines of {@code jcmd PID VM.class_hierarchy}. (The
   * performance counter {@code java.cls.loadedClasses} also counts every class version a
   * redefinition parses, and leaves out classes from the CDS archive.)
   */
  static long loadedClasses(Jdk jdk, String pid) throws Exception {
    String hierarchy = Proc.check(List.of(jdk.home().resolve("bin/jcmd").toString(), pid, "VM.class_hierarchy"), 60).output();
    return hierarchy.lines().filter(line -> line.matches("^[| -]*[A-Za-z_$].*")).count();
  }

  private static double raw(VirtualMachine vm, Env env, Path classes, SafepointLog safepoints) throws Exception {
    safepoints.mark();
    vm.loadAgent(env.floorJar.toString(), classes.toString());
    return SafepointLog.redefineMicros(safepoints.since());
  }
}
