package org.jlivepatch.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jlivepatch.core.classes.ClassSet;
import org.objectweb.asm.ClassReader;

/** Reads the class sets named on the command line: a jar (plain or fat) or a directory of classes. */
final class ClassSets {

  private ClassSets() {}

  /**
   * Reads the classes at {@code path}.
   *
   * @param option the option that named the path, for messages (e.g. {@code --old})
   * @throws CliException naming the option and path when it is missing or unreadable
   */
  static ClassSet load(String option, Path path) {
    if (!Files.exists(path)) {
      throw new CliException(ExitCode.FAILURE, option + " " + path + ": no such file or directory");
    }
    try {
      if (Files.isDirectory(path)) {
        return readDirectory(path);
      }
      try (InputStream in = Files.newInputStream(path)) {
        return ClassSet.readJar(in);
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new CliException(ExitCode.FAILURE, option + " " + path + ": " + e.getMessage(), e);
    }
  }

  private static ClassSet readDirectory(Path root) throws IOException {
    ClassSet.Builder builder = ClassSet.builder();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
    for (Path file : files) {
      String name = file.getFileName().toString();
      if (name.endsWith(".class") && !name.equals("module-info.class")
          && !root.relativize(file).startsWith("META-INF")) {
        byte[] bytes = Files.readAllBytes(file);
        String className;
        try {
          // The class file names its class; the path may not (e.g. BOOT-INF/classes/ prefixes).
          className = new ClassReader(bytes).getClassName().replace('/', '.');
        } catch (RuntimeException e) {
          throw new IOException(root.relativize(file) + " is not a readable class file: " + e.getMessage(), e);
        }
        builder.add(className, bytes);
      }
    }
    Path manifest = root.resolve("META-INF/MANIFEST.MF");
    if (Files.isRegularFile(manifest)) {
      try (InputStream in = Files.newInputStream(manifest)) {
        builder.manifest(new Manifest(in));
      }
    }
    return builder.build();
  }
}
