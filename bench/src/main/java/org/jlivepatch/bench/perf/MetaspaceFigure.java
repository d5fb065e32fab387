package org.jlivepatch.bench.perf;

import com.sun.tools.attach.VirtualMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether apply/revert cycles of a trampoline patch leave memory behind: {@link LoadApp}'s account
 * fix (an added helper, a lambda, an instance and a static shadow field) applied and reverted
 * {@code cycles} times over one attachment ({@link AgentClient}), per-thread and immediate, while a
 * worker calls the patched methods (so every cycle links its hidden class, spins its lambda and
 * fills its shadow store); beside the raw mechanism, the same class switched between two fixed
 * body versions by {@link RawRedefineAgent}, four redefinitions a cycle as a per-thread cycle has.
 * Every {@code every} cycles the target runs two full collections and reports its metaspace
 * ({@code MemoryPoolMXBean}); {@code jcmd VM.class_hierarchy} gives the classes loaded and those of
 * jlivepatch's trampolines ({@code $$Jlp}: hidden classes and their lambdas' classes),
 * {@code jcmd VM.metaspace} the metaspace freed but still held by its loader, and the target's
 * {@code -Xlog:redefine+class+constantpool} the patched class's constant pool length.
 */
final class MetaspaceFigure {

  /** The suffix of a series that applies {@link LoadApp#accountPlainPayload}, the fix without a lambda. */
  static final String NO_LAMBDA = "-nolambda";

  /**
   * The series: jlivepatch with each consistency, per-thread with the fix written without its lambda
   * ({@link #NO_LAMBDA}), and the raw mechanism.
   */
  static final List<String> SERIES = List.of("per-thread", "immediate", "per-thread" + NO_LAMBDA, "raw");

  /** The target's memory after a full collection, {@code cycles} cycles in. */
  record Sample(int cycles, long metaspace, long classes, long trampolineClasses, long deallocated, int constantPool,
      double seconds) {}

  /** One JDK and series: the samples, and ms per cycle. */
  /**
   * @param settled for jlivepatch, a last sample taken after {@link #SETTLE_MILLIS} idle, no command
   *     meanwhile: the agent drops a closed generation 60 s after it closed, so what the cycles left
   *     that is still loaded then stays for good; null for raw
   */
  record Run(String jdk, String series, List<Sample> samples, List<Double> cycleMs, int cyclesPlanned,
      int constantPoolBefore, Sample settled) {

    /** Whether the series stopped at the metaspace cap before its planned cycles. */
    boolean capped() {
      return last().cycles() < cyclesPlanned;
    }

    Sample first() {
      return samples.get(0);
    }

    Sample last() {
      return samples.get(samples.size() - 1);
    }

    /** The sample {@code cycles} cycles in, or the nearest later one. */
    Sample at(int cycles) {
      return samples.stream().filter(s -> s.cycles() >= cycles).findFirst().orElse(last());
    }

    /** Metaspace bytes per cycle between the samples at {@code from} and {@code to} cycles. */
    double metaspacePerCycle(int from, int to) {
      Sample a = at(from);
      Sample b = at(to);
      return b.cycles() == a.cycles() ? 0 : (double) (b.metaspace() - a.metaspace()) / (b.cycles() - a.cycles());
    }

    /** Median ms of the cycles in {@code (from, to]}. */
    double cycleMs(int from, int to) {
      return Stats.median(cycleMs.subList(Math.min(from, cycleMs.size()), Math.min(to, cycleMs.size())));
    }
  }

  private MetaspaceFigure() {}

  /**
   * @param capBytes a series stops at the first sample whose metaspace exceeds it: growth past it
   *     answers the question, and each cycle of a growing class takes longer
   */
  static List<Run> run(Env env, int cycles, int every, List<String> series, long capBytes) throws Exception {
    LoadApp app = LoadApp.create(env.work);
    List<Run> runs = new ArrayList<>();
    for (Jdk jdk : env.jdks) {
      for (String s : series) {
        runs.add(measure(env, jdk, app, s, cycles, every, capBytes));
      }
    }
    return runs;
  }

  private static Run measure(Env env, Jdk jdk, LoadApp app, String series, int cycles, int every, long capBytes)
      throws Exception {
    List<Sample> samples = new ArrayList<>();
    List<Double> cycleMs = new ArrayList<>();
    String consistency = series.replace(NO_LAMBDA, "");
    Path payload = series.endsWith(NO_LAMBDA) ? app.accountPlainPayload : app.accountPayload;
    Path cpLog = env.work.resolve("metaspace-cp-" + jdk.feature() + "-" + consistency
        + (series.endsWith(NO_LAMBDA) ? NO_LAMBDA : "") + ".log");
    Files.deleteIfExists(cpLog);
    long start = System.nanoTime();
    Sample settled = null;
    List<String> options = List.of("-Xlog:redefine+class+constantpool=info:file=" + cpLog);
    try (Proc.Target target = new Proc.Target(app.command(jdk, 1, OWN_WORK, 0, options), env.work.resolve("metaspace-target.err"))) {
      target.await("ready", 60);
      Thread.sleep(1000);
      VirtualMachine vm = VirtualMachine.attach(Long.toString(target.pid()));
      try (AgentClient agent = new AgentClient(target.pid(), env.agentJar)) {
        if (series.equals("raw")) {
          vm.loadAgent(env.floorJar.toString(), ""); // loads the raw agent: its classes are in every sample
        } else {
          agent.command(Map.of("command", "status")); // loads the agent: its classes are in every sample
        }
        samples.add(sample(jdk, target, 0, start, cpLog));
        for (int cycle = 1; cycle <= cycles; cycle++) {
          long cycleStart = System.nanoTime();
          if (series.equals("raw")) {
            for (int i = 0; i < 2; i++) {
              vm.loadAgent(env.floorJar.toString(), app.rawChangedDir.toString());
              vm.loadAgent(env.floorJar.toString(), app.rawOriginalDir.toString());
            }
          } else {
            agent.apply(payload, consistency).check("apply, cycle " + cycle);
            agent.revert(LoadApp.ACCOUNT_ID, consistency).check("revert, cycle " + cycle);
          }
          cycleMs.add((System.nanoTime() - cycleStart) / 1e6);
          if (cycle % every == 0 || cycle == cycles) {
            Sample sample = sample(jdk, target, cycle, start, cpLog);
            samples.add(sample);
            if (sample.metaspace() > capBytes) {
              break;
            }
          }
        }
        if (!series.equals("raw")) {
          Thread.sleep(SETTLE_MILLIS);
          settled = sample(jdk, target, samples.get(samples.size() - 1).cycles(), start, cpLog);
        }
      } finally {
        vm.detach();
      }
    }
    Matcher before = ORIGINAL_CONSTANT_POOL.matcher(Proc.read(cpLog));
    Run run = new Run(jdk.name(), series, samples, cycleMs, cycles, before.find() ? Integer.parseInt(before.group(1)) : 0,
        settled);
    System.out.printf("metaspace %s %s: %s; settled %s; constant pool %d -> %d; cycles %.0f ms (first 100), %.0f ms"
        + " (last 100)%n", jdk.name(), series, samples.stream().map(s -> s.cycles() + ":" + s.metaspace() / 1024 + "K/"
        + s.trampolineClasses()).toList(), settled,
        run.constantPoolBefore(), run.last().constantPool(), run.cycleMs(0, 100),
        run.cycleMs(Math.max(0, cycleMs.size() - 100), cycleMs.size()));
    return run;
  }

  private static final Pattern ORIGINAL_CONSTANT_POOL = Pattern.compile("old_cp_len=(\\d+)");
  private static final Pattern DEALLOCATED = Pattern.compile("Both:.*deallocated: \\d+ blocks with ([0-9.]+) (bytes|KB|MB|GB)");
  private static final Pattern CONSTANT_POOL = Pattern.compile("merge_cp_len=(\\d+), index_map_len");

  private static Sample sample(Jdk jdk, Proc.Target target, int cycles, long start, Path cpLog) throws Exception {
    String[] v = LoadApp.ask(target, "mem").split(" ");
    String metaspace = Proc.check(List.of(jdk.home().resolve("bin/jcmd").toString(), Long.toString(target.pid()),
        "VM.metaspace", "by-spacetype"), 60).output();
    String total = metaspace.substring(Math.max(0, metaspace.indexOf("Total Usage")));
    long deallocated = 0;
    Matcher d = DEALLOCATED.matcher(total);
    if (d.find()) {
      double value = Double.parseDouble(d.group(1));
      deallocated = (long) (value * switch (d.group(2)) {
        case "KB" -> 1024;
        case "MB" -> 1024 * 1024;
        case "GB" -> 1024 * 1024 * 1024;
        default -> 1;
      });
    }
    int constantPool = 0;
    Matcher cp = CONSTANT_POOL.matcher(Proc.read(cpLog));
    while (cp.find()) {
      constantPool = Integer.parseInt(cp.group(1));
    }
    List<String> classes = Proc.check(List.of(jdk.home().resolve("bin/jcmd").toString(), Long.toString(target.pid()),
        "VM.class_hierarchy"), 60).output().lines().filter(line -> line.matches("^[| -]*[A-Za-z_$].*")).toList();
    return new Sample(cycles, Long.parseLong(v[0]), classes.size(), classes.stream().filter(c -> c.contains("$$Jlp")).count(),
        deallocated, constantPool, (System.nanoTime() - start) / 1e9);
  }

  /** {@code bytes} in MB. */
  static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / 1024.0 / 1024.0);
  }

  /** The pause before the settled sample: longer than the agent's 60 s grace for closed generations. */
  static final long SETTLE_MILLIS = 61_000;

  /** The worker's own work after each round trip, so that it is outside the patched code most of the time. */
  static final int OWN_WORK = 200;
}
