package org.jlivepatch.bench.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where the bench finds the built artifacts and the JDKs, and where it works. */
final class Env {

  final Path root;
  /** The build output folder of every module, e.g. {@code target-perf}. */
  final String buildDir;
  final Path work;
  final Path cliJar;
  final Path agentJar;
  final Path demoJar;
  final Path demoFixedJar;
  final Path floorJar;
  final Path arthasHome;
  final List<Jdk> jdks;

  Env(Path root, String buildDir, Path work) throws java.io.IOException {
    this.root = root;
    this.buildDir = buildDir;
    this.work = Files.createDirectories(work);
    this.cliJar = existing(root.resolve("cli").resolve(buildDir).resolve("jlivepatch.jar"));
    this.agentJar = existing(root.resolve("agent").resolve(buildDir).resolve("jlivepatch-agent.jar"));
    this.demoJar = existing(root.resolve("demo").resolve(buildDir).resolve("demo.jar"));
    this.demoFixedJar = existing(root.resolve("demo").resolve(buildDir).resolve("demo-fixed.jar"));
    this.arthasHome = root.resolve("bench").resolve(buildDir).resolve("arthas");
    this.floorJar = ToolJar.write(work.resolve("floor.jar"));
    this.jdks = Jdk.available();
  }

  /**
   * {@code jlivepatch ARGS} on {@code jdk} as a user runs it: the launcher at the root of the
   * checkout (its JVM options and class-data-sharing archive) on this run's CLI jar, the archive and
   * the extracted agent in this run's own cache directory.
   */
  List<String> cli(Jdk jdk, String... args) {
    return cli(jdk, List.of(), args);
  }

  /** {@link #cli(Jdk, String...)} with extra JVM options (through {@code JDK_JAVA_OPTIONS}). */
  List<String> cli(Jdk jdk, List<String> jvmOptions, String... args) {
    List<String> command = new ArrayList<>(List.of("env", "JAVA_HOME=" + jdk.home(), "JLIVEPATCH_JAR=" + cliJar,
        "XDG_CACHE_HOME=" + work.resolve("cache")));
    if (!jvmOptions.isEmpty()) {
      command.add("JDK_JAVA_OPTIONS=" + String.join(" ", jvmOptions));
    }
    command.add("bash");
    command.add(root.resolve("jlivepatch").toString());
    command.addAll(List.of(args));
    return command;
  }

  private static Path existing(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(file + " is missing: build first (bench/run-all.sh does)");
    }
    return file;
  }
}
