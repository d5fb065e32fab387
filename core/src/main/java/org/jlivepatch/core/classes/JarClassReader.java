package org.jlivepatch.core.classes;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Reads the classes of a plain jar, a Spring Boot fat jar or a war into a {@link ClassSet}. */
final class JarClassReader {

  private static final String[] CLASS_ROOTS = {"BOOT-INF/classes/", "WEB-INF/classes/"};
  private static final String[] LIB_FOLDERS = {"BOOT-INF/lib/", "WEB-INF/lib/"};
  private static final String MANIFEST = "META-INF/MANIFEST.MF";

  private final ClassSet.Builder builder = ClassSet.builder();
  /** Where each class was read from, to name both places when a class appears twice. */
  private final Map<String, String> origins = new HashMap<>();

  ClassSet read(InputStream jar) throws IOException {
    readEntries(jar, "", true);
    return builder.build();
  }

  private void readEntries(InputStream jar, String container, boolean outermost) throws IOException {
    // The stream is not closed here: it belongs to the caller or to the enclosing zip.
    ZipInputStream zip = new ZipInputStream(jar);
    Set<String> seen = new HashSet<>();
    ZipEntry entry;
    while ((entry = nextEntry(zip, container)) != null) {
      String path = entry.getName();
      if (!seen.add(path)) {
        throw new IOException("duplicate entry " + container + path);
      }
      if (entry.isDirectory()) {
        continue;
      }
      if (outermost && path.equalsIgnoreCase(MANIFEST)) {
        builder.manifest(readManifest(zip, path));
      } else if (outermost && isNestedJar(path)) {
        byte[] nested = readAll(zip, container + path);
        try {
          readEntries(new ByteArrayInputStream(nested), container + path + "!/", false);
        } catch (IOException e) {
          if (e.getMessage() != null && e.getMessage().contains(path)) {
            throw e;
          }
          throw new IOException("corrupt nested jar " + container + path + ": " + e.getMessage(), e);
        }
      } else if (path.endsWith(".class")) {
        String relative = classPath(path, outermost);
        if (relative != null) {
          addClass(relative, readAll(zip, container + path), container + path);
        }
      }
    }
  }

  private static ZipEntry nextEntry(ZipInputStream zip, String container) throws IOException {
    try {
      return zip.getNextEntry();
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException("not a readable jar" + (container.isEmpty() ? "" : " " + container) + ": " + e, e);
    }
  }

  /** Returns the class's path relative to its class root, or null if the entry is left out. */
  private static String classPath(String path, boolean outermost) {
    String relative = path;
    if (outermost) {
      for (String root : CLASS_ROOTS) {
        if (path.startsWith(root)) {
          relative = path.substring(root.length());
          break;
        }
      }
    }
    if (relative.startsWith("META-INF/")) {
      return null; // META-INF/versions/** and anything else there is not on the class path as such.
    }
    if (relative.equals("module-info.class") || relative.endsWith("/module-info.class")) {
      return null;
    }
    return relative;
  }

  private static boolean isNestedJar(String path) {
    for (String folder : LIB_FOLDERS) {
      if (path.startsWith(folder) && path.endsWith(".jar") && path.indexOf('/', folder.length()) < 0) {
        return true;
      }
    }
    return false;
  }

  private void addClass(String relativePath, byte[] bytes, String origin) throws IOException {
    String expected = relativePath.substring(0, relativePath.length() - ".class".length()).replace('/', '.');
    String declared;
    try {
      declared = ClassFileCheck.declaredName(bytes, "entry " + origin);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    if (!declared.equals(expected)) {
      throw new IOException("entry " + origin + " declares class " + declared + ", not " + expected);
    }
    byte[] previous = builder.get(declared);
    if (previous != null && !java.util.Arrays.equals(previous, bytes)) {
      throw new IOException("class " + declared + " appears twice with different bytes: in "
          + origins.get(declared) + " and in " + origin);
    }
    origins.putIfAbsent(declared, origin);
    builder.add(declared, bytes);
  }

  private static Manifest readManifest(InputStream in, String path) throws IOException {
    try {
      return new Manifest(new ByteArrayInputStream(readAll(in, path)));
    } catch (IOException | RuntimeException e) {
      throw new IOException("unreadable manifest " + path + ": " + e.getMessage(), e);
    }
  }

  private static byte[] readAll(InputStream in, String path) throws IOException {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IOException("cannot read entry " + path + ": " + e.getMessage(), e);
    }
  }
}
