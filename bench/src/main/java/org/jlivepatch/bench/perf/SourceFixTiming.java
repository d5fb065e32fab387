package org.jlivepatch.bench.perf;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Figure 4, second half: whole-process wall time of {@code jlivepatch build} from a source fix of
 * a vendor jar: commons-text 1.9 and its {@code -sources} jar with the CVE-2022-42889 fix as a
 * diff (the one the integration tests use), compiled against commons-lang3 3.11.
 */
final class SourceFixTiming {

  /** Wall times in ms, and the payload's one-line summary. */
  record Result(String jdk, List<Double> wall, String summary) {}

  private SourceFixTiming() {}

  static Result run(Env env, int rounds) throws Exception {
    Path libs = env.root.resolve("bench").resolve(env.buildDir).resolve("real-libs");
    Path diff = env.work.resolve("cve-2022-42889.diff");
    try (InputStream in = SourceFixTiming.class.getResourceAsStream("cve-2022-42889.diff")) {
      Files.write(diff, in.readAllBytes());
    }
    Path out = env.work.resolve("cve-2022-42889.jlp");
    Jdk jdk = env.jdks.get(0);
    List<Double> wall = new ArrayList<>();
    String summary = "";
    for (int round = -1; round < rounds; round++) { // round -1 warms the file cache, not counted
      Files.deleteIfExists(out);
      Proc.Run run = Proc.check(env.cli(jdk, "build", "--old", libs.resolve("commons-text-1.9.jar").toString(),
          "--sources", libs.resolve("commons-text-1.9-sources.jar").toString(), "--patch", diff.toString(),
          "--classpath", libs.resolve("commons-lang3-3.11.jar").toString(), "--id", "cve-2022-42889",
          "-o", out.toString()), 300);
      if (round >= 0) {
        wall.add(run.wallMs());
      }
      summary = run.lines().isEmpty() ? "" : run.lines().get(0).text();
    }
    System.out.printf("source-fix build %s: %s ms (%s)%n", jdk.name(), Stats.spread(wall, "%.0f"), summary);
    return new Result(jdk.name(), wall, summary);
  }
}
