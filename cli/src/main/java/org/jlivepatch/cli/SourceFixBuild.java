package org.jlivepatch.cli;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.diff.DiffResult;
import org.jlivepatch.core.source.DiffNotApplicableException;
import org.jlivepatch.core.source.SourceDiff;
import org.jlivepatch.core.source.SourceFixBuilder;
import org.jlivepatch.core.source.SourceFixException;

/**
 * {@code build --sources SRC --patch FIX.diff | --new-sources DIR}: reads the vendor's sources and
 * the fix from disk and builds the difference the fix makes to the vendor's classes.
 */
final class SourceFixBuild {

  private SourceFixBuild() {}

  /**
   * @param vendor the classes of {@code --old}
   * @param sourcesPath a {@code -sources} jar or a directory of sources
   * @param patchFile a unified diff, or null
   * @param newSources a directory of patched source files, or null
   * @param classPath further class sets to compile against
   * @throws CliException exit 1 when a file is unreadable, the diff does not apply or javac fails
   */
  static DiffResult build(ClassSet vendor, Path sourcesPath, Path patchFile, Path newSources, List<ClassSet> classPath) {
    Map<String, String> sources = readSources("--sources", sourcesPath);
    Map<String, String> patched;
    if (patchFile != null) {
      String diff = readText("--patch", patchFile);
      try {
        patched = SourceDiff.apply(sources, diff);
      } catch (DiffNotApplicableException e) {
        throw new CliException(ExitCode.FAILURE, "--patch " + patchFile + ": " + e.getMessage(), e);
      }
    } else {
      patched = new TreeMap<>();
      Map<String, String> fixed = readSources("--new-sources", newSources);
      if (fixed.isEmpty()) {
        throw new CliException(ExitCode.FAILURE, "--new-sources " + newSources + ": no .java file");
      }
      for (Map.Entry<String, String> file : fixed.entrySet()) {
        List<String> found = SourceDiff.locate(sources.keySet(), file.getKey());
        if (found.size() > 1) {
          throw new CliException(ExitCode.FAILURE, "--new-sources " + newSources + ": " + file.getKey()
              + " matches several sources: " + found);
        }
        patched.put(found.isEmpty() ? file.getKey() : found.get(0), file.getValue());
      }
    }
    Map<String, String> originals = new LinkedHashMap<>();
    patched.keySet().forEach(path -> {
      if (sources.containsKey(path)) {
        originals.put(path, sources.get(path));
      }
    });
    try {
      return SourceFixBuilder.build(vendor, classPath, originals, patched);
    } catch (SourceFixException e) {
      throw new CliException(ExitCode.FAILURE, e.getMessage(), e);
    }
  }

  /** The class sets of a class path: jars and directories separated by the platform's separator. */
  static List<ClassSet> classPath(String classPath) {
    List<ClassSet> sets = new ArrayList<>();
    if (classPath == null) {
      return sets;
    }
    for (String entry : classPath.split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        sets.add(ClassSets.load("--classpath", Path.of(entry)));
      }
    }
    return sets;
  }

  /** The {@code .java} files of a jar or directory, by path within it. */
  private static Map<String, String> readSources(String option, Path path) {
    if (!Files.exists(path)) {
      throw new CliException(ExitCode.FAILURE, option + " " + path + ": no such file or directory");
    }
    Map<String, String> sources = new TreeMap<>();
    try {
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          for (Path file : walk.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p)).toList()) {
            sources.put(path.relativize(file).toString().replace(File.separatorChar, '/'),
                Files.readString(file, StandardCharsets.UTF_8));
          }
        }
      } else {
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(Files.readAllBytes(path)))) {
          for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
            if (!entry.isDirectory() && entry.getName().endsWith(".java")) {
              sources.put(entry.getName(), new String(zip.readAllBytes(), StandardCharsets.UTF_8));
            }
          }
        }
        if (sources.isEmpty()) {
          throw new IOException("no .java entry: not a -sources jar");
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new CliException(ExitCode.FAILURE, option + " " + path + ": " + e.getMessage(), e);
    }
    return sources;
  }

  private static String readText(String option, Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException(ExitCode.FAILURE, option + " " + file + ": "
          + (Files.exists(file) ? e.getMessage() : "no such file"), e);
    }
  }
}
