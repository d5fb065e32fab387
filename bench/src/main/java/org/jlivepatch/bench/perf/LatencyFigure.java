package org.jlivepatch.bench.perf;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Figure 2: whole-process wall time of {@code jlivepatch apply} (through the launcher, as a user
 * runs it) on a freshly started demo service, beside the floor ({@link FloorClient}: attach, load a
 * minimal agent, {@code redefineClasses} with the same class file) and Arthas ({@code redefine} in
 * batch mode), in alternating runs, each on a new target. Extra runs with {@code -Xlog:class+load}
 * and the timing marks ({@code -Djlivepatch.timing=true}, the same marks in the CLI, its agent and
 * the floor) split the jlivepatch and floor times: JVM start until the main class, own work until
 * the attach starts, the attach, the agent load and command (and of it, the agent's own time in the
 * target), and the exit.
 */
final class LatencyFigure {

  private static final Pattern TIMINGS = Pattern.compile("running code read in ([0-9.]+) ms, switched in ([0-9.]+) ms");
  private static final Pattern MARK = Pattern.compile("jlivepatch timing: ([0-9.]+) ms (.+)");
  private static final Pattern IN_TARGET = Pattern.compile("jlivepatch timing: in target .*answered ([0-9.]+)");

  /**
   * One tool on one JDK, in ms: wall times and, for the logged runs, the split: {@code startup} JVM
   * start until the main class loaded, {@code own} main until the attach starts, {@code attach},
   * {@code agent} from attached until the agent returned (agent load and command), {@code inTarget}
   * of it the agent's own time, {@code exit} the rest until the process ended.
   */
  record Row(String jdk, String tool, List<Double> wall, List<Double> startup, List<Double> own, List<Double> attach,
      List<Double> agent, List<Double> inTarget, List<Double> exit, List<Double> capture, List<Double> switched,
      List<Double> classes) {

    Row(String jdk, String tool) {
      this(jdk, tool, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
          new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }
  }

  private LatencyFigure() {}


  /** The uptime in ms at which a class whose log line contains {@code name} loaded, or NaN. */
  static double loadedAt(String log, String name) {
    for (String line : log.split("\n")) {
      if (line.contains(name)) {
        Matcher m = Pattern.compile("^\\[([0-9.]+)s\\]").matcher(line);
        if (m.find()) {
          return Double.parseDouble(m.group(1)) * 1000;
        }
      }
    }
    return Double.NaN;
  }

  /** The time of the timing mark {@code what} in a command's output, or NaN. */
  static double mark(String output, String what) {
    for (String line : output.split("\n")) {
      Matcher m = MARK.matcher(line.strip());
      if (m.matches() && m.group(2).equals(what)) {
        return Double.parseDouble(m.group(1));
      }
    }
    return Double.NaN;
  }

  static List<Row> run(Env env, int rounds) throws Exception {
    DemoPatch patch = DemoPatch.create(env);
    boolean arthas = Files.isRegularFile(env.arthasHome.resolve("arthas-boot.jar"));
    List<Row> rows = new ArrayList<>();
    for (Jdk jdk : env.jdks) {
      Map<String, Row> byTool = new LinkedHashMap<>();
      List<String> tools = new ArrayList<>(List.of("jlivepatch", "floor", "java -version", "jlivepatch, logged", "floor, logged"));
      if (arthas) {
        tools.add("arthas");
      }
      for (String tool : tools) {
        byTool.put(tool, new Row(jdk.name(), tool));
      }
      int port = 3700;
      for (int round = -1; round < rounds; round++) { // round -1 warms the file cache, not counted
        for (String tool : tools) {
          Row row = byTool.get(tool);
          if (tool.equals("java -version")) {
            Proc.Run run = Proc.check(List.of(jdk.java().toString(), "-cp", env.floorJar.toString(),
                FloorClient.class.getName(), "--hello"), 60);
            if (round >= 0) {
              row.wall().add(run.wallMs());
            }
            continue;
          }
          try (Proc.Target target = new Proc.Target(DemoPatch.service(env, jdk, List.of()), env.work.resolve("latency-target.err"))) {
            DemoPatch.touch(target.await("listening on", 60));
            Thread.sleep(300);
            String pid = Long.toString(target.pid());
            String kind = tool.split(",")[0];
            List<String> command = switch (kind) {
              case "jlivepatch" -> env.cli(jdk, "apply", pid, patch.payload().toString());
              case "floor" -> List.of(jdk.java().toString(), "-cp", env.floorJar.toString(), FloorClient.class.getName(),
                  pid, env.floorJar.toString(), patch.classesDir().toString());
              case "arthas" -> List.of(jdk.java().toString(), "-jar", env.arthasHome.resolve("arthas-boot.jar").toString(),
                  "--arthas-home", env.arthasHome.toString(), "--telnet-port", Integer.toString(port++), "--http-port", "-1",
                  "-c", "redefine " + String.join(" ", patch.classFiles().stream().map(Object::toString).toList()) + ";stop", pid);
              default -> throw new IllegalArgumentException(tool);
            };
            java.nio.file.Path classLog = env.work.resolve("class-load-" + jdk.feature() + "-" + tool.charAt(0) + "-" + round + ".log");
            if (tool.endsWith("logged")) {
              Files.deleteIfExists(classLog);
              List<String> logging = List.of("-Xlog:class+load=info:file=" + classLog + ":uptime", "-Djlivepatch.timing=true");
              if (kind.equals("jlivepatch")) {
                command = env.cli(jdk, logging, "apply", pid, patch.payload().toString());
              } else {
                command = new ArrayList<>(command);
                command.addAll(1, logging);
              }
            }
            Proc.Run run = Proc.check(command, 120);
            if (tool.equals("arthas") && !run.output().contains("redefine success")) {
              throw new IllegalStateException("arthas did not redefine:\n" + run.output());
            }
            if (round < 0) {
              continue;
            }
            row.wall().add(run.wallMs());
            if (tool.endsWith("logged")) {
              // JVM start until the main class loaded (uptime), then the marks (ms since main).
              String log = Proc.read(classLog);
              double main = loadedAt(log, tool.startsWith("floor") ? FloorClient.class.getName() : "org.jlivepatch.cli.JLivePatch ");
              String out = run.output();
              double found = mark(out, "target found");
              double attached = mark(out, "attached");
              double returned = mark(out, "agent returned");
              if (Double.isNaN(main) || Double.isNaN(found) || Double.isNaN(attached) || Double.isNaN(returned)) {
                throw new IllegalStateException("no class-load or timing marks in " + classLog + " and:\n" + out);
              }
              row.startup().add(main);
              row.own().add(found);
              row.attach().add(attached - found);
              row.agent().add(returned - attached);
              row.exit().add(run.wallMs() - main - returned);
              Matcher inTarget = IN_TARGET.matcher(out);
              if (inTarget.find()) {
                row.inTarget().add(Double.parseDouble(inTarget.group(1)));
              }
              row.classes().add((double) log.lines().count());
            }
            Matcher m = TIMINGS.matcher(run.output());
            if (m.find()) {
              row.capture().add(Double.parseDouble(m.group(1)));
              row.switched().add(Double.parseDouble(m.group(2)));
            }
          }
        }
      }
      for (Row row : byTool.values()) {
        System.out.printf("latency %s %-12s wall %s ms%n", jdk.name(), row.tool(), Stats.spread(row.wall(), "%.0f"));
      }
      rows.addAll(byTool.values());
    }
    return rows;
  }
}
