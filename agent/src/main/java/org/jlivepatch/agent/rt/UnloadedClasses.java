package org.jlivepatch.agent.rt;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;

/**
 * Checks the classes of a patch that no loader has loaded yet against the class files the JVM's
 * loaders would define them from. A patch whose class exists nowhere is for another program; one
 * whose class file is another version would only be refused when the class loads. Both are
 * refused at once instead of being left pending, possibly forever.
 */
final class UnloadedClasses {

  /** Enough for any real class file; a resource larger than this is not one. */
  private static final int MAX_CLASS_FILE = 16 << 20;
  /** Bounds the search in JVMs with very many loaders (generated, per-request, …). */
  private static final int MAX_LOADERS = 1000;

  private final Instrumentation instrumentation;

  UnloadedClasses(Instrumentation instrumentation) {
    this.instrumentation = instrumentation;
  }

  /**
   * Refuses {@code patch} if a class it patches and no loader has loaded cannot be found by any
   * loader, or is found only in versions the patch was not built against.
   */
  void check(Patch patch, Iterable<String> unloaded) throws CommandException {
    Set<ClassLoader> loaders = null;
    for (String name : unloaded) {
      PatchedClass patchedClass = patch.patchedClass(name).orElseThrow();
      if (loaders == null) {
        loaders = candidateLoaders();
      }
      String firstMismatch = null;
      boolean found = false;
      for (ClassLoader loader : loaders) {
        Optional<byte[]> classFile = classFile(loader, patchedClass.internalName() + ".class");
        if (classFile.isEmpty()) {
          continue;
        }
        found = true;
        Optional<String> mismatch = mismatch(classFile.get(), patchedClass, loader);
        if (mismatch.isEmpty()) {
          firstMismatch = null;
          break;
        }
        firstMismatch = firstMismatch == null ? mismatch.get() : firstMismatch;
      }
      if (!found) {
        throw CommandException.refused("resolve", "class " + name + " of patch " + patch.id()
            + " is not loaded, and no class loader of this JVM can load it: the patch is for another program");
      }
      if (firstMismatch != null) {
        throw CommandException.refused("expectation", "patch " + patch.id() + " refused: " + firstMismatch
            + " (the class is not loaded yet; its class file was checked)");
      }
    }
  }

  /** The loaders that could define an application class: app, platform, and every loader of a loaded class. */
  private Set<ClassLoader> candidateLoaders() {
    // ClassLoader keeps identity equality, so this is a set of distinct loaders in discovery order.
    Set<ClassLoader> ordered = new LinkedHashSet<>();
    ordered.add(ClassLoader.getSystemClassLoader());
    ordered.add(ClassLoader.getPlatformClassLoader());
    for (Class<?> type : instrumentation.getAllLoadedClasses()) {
      ClassLoader loader = type.getClassLoader();
      if (loader != null && ordered.size() < MAX_LOADERS && !type.isHidden()
          // One per reflective accessor on JDK 17; they define generated code only.
          && !loader.getClass().getName().equals("jdk.internal.reflect.DelegatingClassLoader")) {
        ordered.add(loader);
      }
    }
    return ordered;
  }

  private static Optional<String> mismatch(byte[] classFile, PatchedClass patchedClass, ClassLoader loader) {
    try {
      return Expectations.firstMismatch(classFile, patchedClass, loader);
    } catch (IllegalArgumentException e) {
      return Optional.of("the class file of " + patchedClass.name() + " in loader " + Loaders.describe(loader)
          + " is not readable: " + e.getMessage());
    }
  }

  private static Optional<byte[]> classFile(ClassLoader loader, String resource) {
    try {
      URL url = loader.getResource(resource);
      if (url == null) {
        return Optional.empty();
      }
      try (InputStream in = url.openStream()) {
        byte[] bytes = in.readNBytes(MAX_CLASS_FILE + 1);
        return bytes.length > MAX_CLASS_FILE ? Optional.empty() : Optional.of(bytes);
      }
    } catch (IOException | RuntimeException | LinkageError e) {
      // A loader that cannot answer cannot load the class either.
      return Optional.empty();
    }
  }
}
