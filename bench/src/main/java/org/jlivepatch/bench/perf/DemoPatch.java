package org.jlivepatch.bench.perf;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.diff.ClassDiffer;
import org.jlivepatch.core.diff.DiffOptions;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.payload.PayloadWriter;

/**
 * The demo service's fix as a payload, and the same patched class files for the floor and Arthas
 * ({@code classesDir}), and the class files they replace ({@code baseDir}) for the floor's revert.
 */
record DemoPatch(Path payload, Path classesDir, List<Path> classFiles, Path baseDir) {

  static final String ID = "lookup-fix";

  static DemoPatch create(Env env) throws IOException {
    ClassSet old;
    ClassSet fixed;
    try (InputStream a = Files.newInputStream(env.demoJar); InputStream b = Files.newInputStream(env.demoFixedJar)) {
      old = ClassSet.readJar(a);
      fixed = ClassSet.readJar(b);
    }
    Patch patch = ClassDiffer.diff(old, fixed, DiffOptions.ALL).toPatch(ID, "demo fix", Optional.empty(), List.of());
    Path dir = Files.createDirectories(env.work.resolve("demo-patch"));
    Path payload = dir.resolve(ID + ".jlp");
    try (OutputStream out = Files.newOutputStream(payload)) {
      PayloadWriter.write(patch, Optional.empty(), out);
    }
    Path classes = Files.createDirectories(dir.resolve("classes"));
    Path base = Files.createDirectories(dir.resolve("base"));
    List<Path> files = new java.util.ArrayList<>();
    for (PatchedClass c : patch.classes()) {
      files.add(Files.write(classes.resolve(c.name() + ".class"), c.newBytes()));
      Files.write(base.resolve(c.name() + ".class"), c.baseBytes());
    }
    return new DemoPatch(payload, classes, files, base);
  }

  /** The demo service on {@code jdk}, started with extra JVM options; prints {@code listening on PORT}. */
  static List<String> service(Env env, Jdk jdk, List<String> jvmOptions) {
    List<String> command = new java.util.ArrayList<>();
    command.add(jdk.java().toString());
    command.add("-Xmx256m");
    command.addAll(jdk.targetOptions());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(env.demoJar.toString());
    command.add("0");
    return command;
  }

  /** One request, so the service's classes are loaded as in a service that has been serving. */
  static void touch(String port) throws IOException {
    java.net.URL url = java.net.URI.create("http://127.0.0.1:" + port + "/greet?name=x").toURL();
    try (InputStream in = url.openStream()) {
      in.readAllBytes();
    }
  }
}
