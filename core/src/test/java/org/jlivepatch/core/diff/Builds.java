package org.jlivepatch.core.diff;

import java.util.Map;
import java.util.TreeMap;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.testing.InMemoryCompiler;

/** Two versions of a fixture program, compiled at test time, as the class sets the differ compares. */
final class Builds {

  private Builds() {}

  /** Compiles one version: binary name of each top-level class to its source. */
  static ClassSet compile(Map<String, String> sources, String... options) {
    ClassSet.Builder builder = ClassSet.builder();
    InMemoryCompiler.compile(sources, options).forEach(builder::add);
    return builder.build();
  }

  /** Compiles one class {@code p.A}. */
  static ClassSet compile(String sourceOfA, String... options) {
    return compile(Map.of("p.A", sourceOfA), options);
  }

  /** Diffs two versions of class {@code p.A}, both compiled with {@code -g}. */
  static DiffResult diff(String oldA, String newA) {
    return ClassDiffer.diff(compile(oldA, "-g"), compile(newA, "-g"), DiffOptions.ALL);
  }

  /** Diffs two versions of several classes, both compiled with {@code -g}. */
  static DiffResult diff(Map<String, String> olds, Map<String, String> news) {
    return ClassDiffer.diff(compile(olds, "-g"), compile(news, "-g"), DiffOptions.ALL);
  }

  /** Loads classes from bytes in a fresh loader, the patched ones replacing the originals. */
  static ClassLoader load(ClassSet classes, Map<String, byte[]> replacements) {
    Map<String, byte[]> all = new TreeMap<>(classes.classes());
    all.putAll(replacements);
    return new ClassLoader(Builds.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = all.get(name);
        if (bytes == null) {
          throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length);
      }
    };
  }
}
