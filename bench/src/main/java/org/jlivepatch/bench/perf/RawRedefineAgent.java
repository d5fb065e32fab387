package org.jlivepatch.bench.perf;

import java.lang.instrument.ClassDefinition;
import java.lang.instrument.Instrumentation;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The raw JDK mechanism every figure is compared with: an agent that redefines the classes whose
 * class files are in a directory ({@code BINARY.NAME.class}) in one {@code redefineClasses} call,
 * and nothing else: no checks, no capture, no record.
 */
public final class RawRedefineAgent {

  /** The instrumentation of this JVM once the agent is loaded (the steady-state benchmark uses it). */
  public static volatile Instrumentation instrumentation;

  private RawRedefineAgent() {}

  /** {@code -javaagent:floor.jar}: only keeps the instrumentation. */
  public static void premain(String args, Instrumentation inst) {
    instrumentation = inst;
  }

  /** Dynamic attach; {@code args} is the directory of class files to switch in. */
  public static void agentmain(String args, Instrumentation inst) throws Exception {
    instrumentation = inst;
    if (args != null && !args.isEmpty()) {
      redefine(inst, Path.of(args));
    }
  }

  /** Redefines every class with a class file in {@code dir}, in one call. */
  static void redefine(Instrumentation inst, Path dir) throws Exception {
    Map<String, Class<?>> loaded = new HashMap<>();
    for (Class<?> type : inst.getAllLoadedClasses()) {
      loaded.putIfAbsent(type.getName(), type);
    }
    List<ClassDefinition> definitions = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.class")) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        name = name.substring(0, name.length() - ".class".length());
        Class<?> type = loaded.get(name);
        if (type == null) {
          throw new IllegalStateException("class " + name + " is not loaded");
        }
        definitions.add(new ClassDefinition(type, Files.readAllBytes(file)));
      }
    }
    inst.redefineClasses(definitions.toArray(new ClassDefinition[0]));
  }
}
