package org.jlivepatch.bench.perf;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Figure 2: whole-process wall time of {@code jlivepatch apply} on a freshly started demo service,
 * beside the floor ({@link FloorClient}: attach, load a minimal agent, {@code redefineClasses} with
 * the same class file) and Arthas ({@code redefine} in batch mode), in alternating runs, each on a
 * new target. Extra runs with {@code -Xlog:class+load} split the jlivepatch and floor times by
 * when key classes load: JVM start until the main class, own work until the attach
 * implementation, then attach, agent load, the command in the target and exit.
 */
final class LatencyFigure {

  private static final Pattern TIMINGS = Pattern.compile("running code read in ([0-9.]+) ms, switched in ([0-9.]+) ms");

  /** One tool on one JDK: wall times and the split, in ms. */
  record Row(String jdk, String tool, List<Double> wall, List<Double> startup, List<Double> attach,
      List<Double> rest, List<Double> capture, List<Double> switched, List<Double> classes) {}

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
        byTool.put(tool, new Row(jdk.name(), tool, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
            new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
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
              command = new ArrayList<>(command);
              command.add(1, "-Xlog:class+load=info:file=" + classLog + ":uptime");
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
              // uptime (ms) when the program's main class, the attach implementation and (CLI) the
              // result parser loaded: JVM start, own work before attach, attach + agent, the rest.
              String log = Proc.read(classLog);
              double main = loadedAt(log, tool.startsWith("floor") ? FloorClient.class.getName() : "org.jlivepatch.cli.JLivePatch ");
              double attach = loadedAt(log, "sun.tools.attach.VirtualMachineImpl ");
              if (Double.isNaN(main) || Double.isNaN(attach)) {
                throw new IllegalStateException("no class-load marks in " + classLog);
              }
              row.startup().add(main);
              row.attach().add(attach - main);
              row.rest().add(run.wallMs() - attach);
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
