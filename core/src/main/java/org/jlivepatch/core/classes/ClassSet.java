package org.jlivepatch.core.classes;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import org.jlivepatch.core.model.BuildInfo;

/**
 * An immutable set of class files keyed by binary class name (e.g. {@code com.example.Foo$Bar}),
 * sorted by name, with the manifest of the jar they came from.
 *
 * <p>The byte arrays are shared, not copied, on every access: callers must not modify them.
 */
public final class ClassSet {

  private final Map<String, byte[]> classes;
  private final Manifest manifest;

  private ClassSet(Map<String, byte[]> classes, Manifest manifest) {
    this.classes = Collections.unmodifiableMap(new TreeMap<>(classes));
    this.manifest = manifest;
  }

  /**
   * Reads the classes of a jar, a Spring Boot fat jar or a war.
   *
   * <p>Classes are taken from the jar's root, from {@code BOOT-INF/classes/} and
   * {@code WEB-INF/classes/}, and from the nested jars directly under {@code BOOT-INF/lib/} and
   * {@code WEB-INF/lib/}. Left out: {@code module-info.class} (a module descriptor has no code to
   * patch) and {@code META-INF/versions/**} (multi-release variants; the base classes are
   * compared). Nested jars are read one level deep; their manifests are ignored. The same class
   * in two places is accepted only with identical bytes.
   *
   * @param jar the jar's bytes; read to the end, not closed
   * @throws IOException if the jar or a nested jar is not a readable zip, an entry appears twice,
   *     or an entry named {@code .class} is not the class file its path says; the message names
   *     the entry
   */
  public static ClassSet readJar(InputStream jar) throws IOException {
    return new JarClassReader().read(jar);
  }

  /** Returns a builder for a class set assembled by the caller, e.g. from a directory. */
  public static Builder builder() {
    return new Builder();
  }

  /** The class files keyed by binary name, sorted by name; unmodifiable. */
  public Map<String, byte[]> classes() {
    return classes;
  }

  /** The manifest of the jar the classes came from, if there was one. */
  public Optional<Manifest> manifest() {
    return Optional.ofNullable(manifest);
  }

  /**
   * How the classes were compiled: the JDK named by the manifest ({@code Build-Jdk-Spec}, else
   * {@code Build-Jdk}, else {@code Created-By}) and the highest class-file major version.
   */
  public BuildInfo buildInfo() {
    int major = 0;
    for (byte[] bytes : classes.values()) {
      major = Math.max(major, majorVersion(bytes));
    }
    return new BuildInfo(buildJdk(), major);
  }

  private String buildJdk() {
    if (manifest == null) {
      return "";
    }
    Attributes main = manifest.getMainAttributes();
    for (String name : new String[] {"Build-Jdk-Spec", "Build-Jdk", "Created-By"}) {
      String value = main.getValue(name);
      if (value != null && !value.isBlank()) {
        return value.trim();
      }
    }
    return "";
  }

  /** Returns the major version of a class file, 0 if it is too short to have one. */
  static int majorVersion(byte[] classFile) {
    if (classFile.length < 8) {
      return 0;
    }
    return ((classFile[6] & 0xFF) << 8) | (classFile[7] & 0xFF);
  }

  /** Collects the classes of a set. Not thread-safe. */
  public static final class Builder {

    private final Map<String, byte[]> classes = new TreeMap<>();
    private Manifest manifest;

    private Builder() {}

    /**
     * Adds a class file.
     *
     * @param binaryName binary class name, e.g. {@code com.example.Foo$Bar}
     * @param bytes the class file; copied
     * @throws IllegalArgumentException if the bytes are not a class file of that name, or a class
     *     of that name was already added with different bytes
     */
    public Builder add(String binaryName, byte[] bytes) {
      Objects.requireNonNull(binaryName, "binaryName");
      Objects.requireNonNull(bytes, "bytes");
      String declared = ClassFileCheck.declaredName(bytes, binaryName);
      if (!declared.equals(binaryName)) {
        throw new IllegalArgumentException(
            "class file given as " + binaryName + " declares class " + declared);
      }
      byte[] previous = classes.get(binaryName);
      if (previous != null && !java.util.Arrays.equals(previous, bytes)) {
        throw new IllegalArgumentException("class " + binaryName + " added twice with different bytes");
      }
      classes.put(binaryName, bytes.clone());
      return this;
    }

    /** Sets the manifest of the jar the classes came from. */
    public Builder manifest(Manifest manifest) {
      this.manifest = manifest == null ? null : new Manifest(manifest);
      return this;
    }

    /** Returns the class set; the builder can go on being used. */
    public ClassSet build() {
      return new ClassSet(classes, manifest == null ? null : new Manifest(manifest));
    }

    boolean contains(String binaryName) {
      return classes.containsKey(binaryName);
    }

    byte[] get(String binaryName) {
      return classes.get(binaryName);
    }
  }
}
