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

  /** {@code java -jar jlivepatch.jar ARGS} on {@code jdk}. */
  List<String> cli(Jdk jdk, String... args) {
    List<String> command = new ArrayList<>(List.of(jdk.java().toString(), "-jar", cliJar.toString()));
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
