package org.jlivepatch.bench.perf;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.diff.ClassDiffer;
import org.jlivepatch.core.diff.DiffOptions;
import org.jlivepatch.core.diff.DiffResult;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.payload.PayloadWriter;

/**
 * A target program of {@code n} generated classes {@code gen.C0…}, compiled at bench time, and a
 * patch changing one method in every one of them: the payload (built with the core API, as
 * {@code jlivepatch build} does) and the same class bytes as plain files for the raw agent.
 * The program runs every class's methods in a loop, so they are compiled and on stacks, prints
 * {@code ready} and runs until its standard input closes.
 */
final class GeneratedApp {

  final int classes;
  final Path v1;
  final Path payload;
  /** The patched class files ({@code gen.Ci.class}), byte for byte what the payload carries. */
  final Path patchedDir;
  /** The running class files before the patch. */
  final Path originalDir;

  private GeneratedApp(int classes, Path v1, Path payload, Path patchedDir, Path originalDir) {
    this.classes = classes;
    this.v1 = v1;
    this.payload = payload;
    this.patchedDir = patchedDir;
    this.originalDir = originalDir;
  }

  static GeneratedApp create(int n, Path work) throws IOException {
    Path dir = Files.createDirectories(work.resolve("gen-" + n));
    Path v1 = compile(n, 1, dir.resolve("v1"));
    Path v2 = compile(n, 2, dir.resolve("v2"));
    DiffResult diff = ClassDiffer.diff(read(v1), read(v2), DiffOptions.ALL);
    if (!diff.patchable()) {
      throw new IllegalStateException("generated patch refused: " + diff.refused());
    }
    Patch patch = diff.toPatch("gen-" + n, n + " generated classes", Optional.empty(), List.of());
    if (patch.classes().size() != n) {
      throw new IllegalStateException("expected " + n + " patched classes, got " + patch.classes().size());
    }
    Path payload = dir.resolve("gen-" + n + ".jlp");
    try (OutputStream out = Files.newOutputStream(payload)) {
      PayloadWriter.write(patch, Optional.empty(), out);
    }
    Path patched = Files.createDirectories(dir.resolve("raw-patched"));
    Path original = Files.createDirectories(dir.resolve("raw-original"));
    for (PatchedClass c : patch.classes()) {
      Files.write(patched.resolve(c.name() + ".class"), c.newBytes());
      Files.write(original.resolve(c.name() + ".class"), c.baseBytes());
    }
    return new GeneratedApp(n, v1, payload, patched, original);
  }

  /** The command line of the program on {@code jdk}, with extra JVM options. */
  List<String> command(Jdk jdk, List<String> jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(jdk.java().toString());
    command.add("-Xmx256m");
    command.addAll(jdk.targetOptions());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(v1.toString());
    command.add("gen.Main");
    return command;
  }

  /** The class files under {@code dir}, named by their paths. */
  static ClassSet read(Path dir) throws IOException {
    ClassSet.Builder set = ClassSet.builder();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name = dir.relativize(file).toString().replace('/', '.');
        set.add(name.substring(0, name.length() - ".class".length()), Files.readAllBytes(file));
      }
    }
    return set.build();
  }

  private static Path compile(int n, int version, Path out) throws IOException {
    Path src = Files.createDirectories(out.resolveSibling(out.getFileName() + "-src").resolve("gen"));
    List<String> args = new ArrayList<>(List.of("--release", "17", "-g", "-d", out.toString()));
    for (int i = 0; i < n; i++) {
      args.add(Files.writeString(src.resolve("C" + i + ".java"), classSource(i, version)).toString());
    }
    args.add(Files.writeString(src.resolve("Main.java"), mainSource(n)).toString());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac.run(null, null, null, args.toArray(new String[0])) != 0) {
      throw new IllegalStateException("javac failed on the generated classes");
    }
    return out;
  }

  /** A class with a few methods; {@code version} changes one constant in {@code applyAsInt}. */
  private static String classSource(int i, int version) {
    return "package gen;\n"
        + "public final class C" + i + " implements java.util.function.IntUnaryOperator {\n"
        + "  private int calls;\n"
        + "  public int applyAsInt(int x) { calls++; return helper(x) * 31 + " + version + "; }\n"
        + "  static int helper(int x) { int s = 0; for (int j = 0; j < 8; j++) { s += (x ^ j) * (j + " + i + "); } return s; }\n"
        + "  public int calls() { return calls; }\n"
        + "  @Override public String toString() { return \"C" + i + " \" + calls; }\n"
        + "}\n";
  }

  private static String mainSource(int n) {
    StringBuilder make = new StringBuilder();
    for (int i = 0; i < n; i++) {
      make.append("    all[").append(i).append("] = new C").append(i).append("();\n");
    }
    return "package gen;\n"
        + "public final class Main {\n"
        + "  static volatile long sink;\n"
        + "  public static void main(String[] args) throws Exception {\n"
        + "    java.util.function.IntUnaryOperator[] all = new java.util.function.IntUnaryOperator[" + n + "];\n"
        + make
        + "    Thread work = new Thread(() -> {\n"
        + "      long s = 0;\n"
        + "      for (int round = 0; ; round++) {\n"
        + "        for (java.util.function.IntUnaryOperator c : all) { s += c.applyAsInt(round); }\n"
        + "        sink = s;\n"
        + "        if ((round & 63) == 0) { try { Thread.sleep(1); } catch (InterruptedException e) { return; } }\n"
        + "      }\n"
        + "    }, \"work\");\n"
        + "    work.setDaemon(true);\n"
        + "    work.start();\n"
        + "    System.out.println(\"ready \" + ProcessHandle.current().pid());\n"
        + "    while (System.in.read() >= 0) { }\n"
        + "  }\n"
        + "}\n";
  }

}
