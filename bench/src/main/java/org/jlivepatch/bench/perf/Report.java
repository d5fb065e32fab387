package org.jlivepatch.bench.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The performance page: what was measured, where, the figures against their goals. */
final class Report {

  final Env env;
  List<PauseFigure.Row> pause = List.of();
  List<LatencyFigure.Row> latency = List.of();

  Report(Env env) {
    this.env = env;
  }

  void write(Path file) throws java.io.IOException {
    StringBuilder md = new StringBuilder();
    md.append("## Pause\n\n");
    md.append("| JDK | classes | apply (µs) | raw redefine (µs) | ratio | revert (µs) | raw (µs) |\n|---|---|---|---|---|---|---|\n");
    for (PauseFigure.Row r : pause) {
      md.append(Stats.f("| %s | %d | %s | %s | %.2f | %s | %s |%n", r.jdk(), r.classes(), Stats.spread(r.apply(), "%.0f"),
          Stats.spread(r.rawApply(), "%.0f"), r.ratio(), Stats.spread(r.revert(), "%.0f"), Stats.spread(r.rawRevert(), "%.0f")));
    }
    md.append("\n## Latency\n\n| JDK | tool | wall (ms) | start | own work | attach..exit |\n|---|---|---|---|---|---|\n");
    for (LatencyFigure.Row r : latency) {
      md.append(Stats.f("| %s | %s | %s | %.0f | %.0f | %.0f |%n", r.jdk(), r.tool(), Stats.spread(r.wall(), "%.0f"),
          Stats.median(r.startup()), Stats.median(r.attach()), Stats.median(r.rest())));
    }
    Files.writeString(file, md);
  }
}
