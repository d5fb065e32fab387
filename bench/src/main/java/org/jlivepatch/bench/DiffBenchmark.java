package org.jlivepatch.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.diff.ClassDiffer;
import org.jlivepatch.core.diff.DiffOptions;
import org.jlivepatch.core.diff.DiffResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.ClassNode;

/**
 * Diffing two releases of a large real jar, beside the floor: a plain ASM parse of every class of
 * both jars into a tree. Both start from classes already read from the jars, so unzipping counts
 * in neither. Two pairs: a major release, where most classes differ ({@code major}: old.jar and
 * new.jar), and a patch release, where few do ({@code patch}: patch-old.jar and patch-new.jar).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DiffBenchmark {

  /** Folder holding old.jar and new.jar; by default bench-jars beside the benchmarks jar. */
  public static final String JARS_PROPERTY = "jlp.bench.jars";

  /** Which pair of jars: {@code major} (old.jar, new.jar) or {@code patch} (patch-old.jar, patch-new.jar). */
  @Param({"major", "patch"})
  public String pair = "major";

  private ClassSet oldClasses;
  private ClassSet newClasses;

  /** Reads both jars. */
  @Setup
  public void readJars() throws IOException {
    Path folder = jarFolder();
    String prefix = pair.equals("major") ? "" : pair + "-";
    oldClasses = read(folder.resolve(prefix + "old.jar"));
    newClasses = read(folder.resolve(prefix + "new.jar"));
  }

  /** The differ on the two releases. */
  @Benchmark
  public DiffResult diff() {
    return ClassDiffer.diff(oldClasses, newClasses, DiffOptions.ALL);
  }

  /** The floor: every class of both releases parsed once by ASM, debug information and frames included. */
  @Benchmark
  public void parse(Blackhole blackhole) {
    parseAll(oldClasses, blackhole);
    parseAll(newClasses, blackhole);
  }

  private static void parseAll(ClassSet classes, Blackhole blackhole) {
    for (byte[] bytes : classes.classes().values()) {
      ClassNode node = new ClassNode();
      new ClassReader(bytes).accept(node, 0);
      blackhole.consume(node);
    }
  }

  /** Classes in both jars together: what one operation of either benchmark handles. */
  public int classCount() {
    return oldClasses.classes().size() + newClasses.classes().size();
  }

  /** Classes of the old jar that the new one lacks or holds with other bytes. */
  public int differingClasses() {
    int differing = 0;
    for (var entry : oldClasses.classes().entrySet()) {
      if (!java.util.Arrays.equals(entry.getValue(), newClasses.classes().get(entry.getKey()))) {
        differing++;
      }
    }
    return differing;
  }

  /** The two jars' versions, from their manifests ({@code Bundle-Version}), e.g. "31.1.0.jre → 32.0.0.jre". */
  public String versions() {
    return version(oldClasses) + " → " + version(newClasses);
  }

  private static String version(ClassSet classes) {
    return classes.manifest().map(m -> m.getMainAttributes().getValue("Bundle-Version")).orElse("?");
  }

  static Path jarFolder() {
    String configured = System.getProperty(JARS_PROPERTY);
    if (configured != null) {
      return Path.of(configured);
    }
    try {
      Path codeSource = Path.of(DiffBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return codeSource.getParent().resolve("bench-jars");
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the benchmarks jar; set -D" + JARS_PROPERTY, e);
    }
  }

  static ClassSet read(Path jar) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException("no " + jar + ": build the bench module first, or set -D" + JARS_PROPERTY);
    }
    try (InputStream in = Files.newInputStream(jar)) {
      return ClassSet.readJar(in);
    }
  }
}
