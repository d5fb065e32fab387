package org.jlivepatch.core.classes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jlivepatch.core.model.BuildInfo;
import org.jlivepatch.core.testing.InMemoryCompiler;
import org.junit.jupiter.api.Test;

class ClassSetTest {

  private static final Map<String, byte[]> CLASSES = InMemoryCompiler.compile(Map.of(
      "a.App", "package a; public class App { Runnable r = new Runnable() { public void run() {} }; }",
      "lib.Util", "package lib; public class Util { }"), "--release", "11");

  private static byte[] zip(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(entry.getKey()));
        zip.write(entry.getValue());
        zip.closeEntry();
      }
    }
    return out.toByteArray();
  }

  private static byte[] manifest(String attribute, String value) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue(attribute, value);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    manifest.write(out);
    return out.toByteArray();
  }

  private static ClassSet read(byte[] jar) throws IOException {
    return ClassSet.readJar(new ByteArrayInputStream(jar));
  }

  @Test
  void readsAPlainJarWithItsManifestAndBuildInfo() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("META-INF/MANIFEST.MF", manifest("Build-Jdk-Spec", "11"));
    entries.put("a/", new byte[0]);
    entries.put("a/App.class", CLASSES.get("a.App"));
    entries.put("a/App$1.class", CLASSES.get("a.App$1"));
    entries.put("a/readme.txt", "text".getBytes(StandardCharsets.UTF_8));
    entries.put("module-info.class", CLASSES.get("lib.Util"));
    entries.put("META-INF/versions/17/a/App.class", CLASSES.get("lib.Util"));

    ClassSet set = read(zip(entries));

    assertThat(set.classes()).containsOnlyKeys("a.App", "a.App$1");
    assertThat(set.classes().keySet()).containsExactly("a.App", "a.App$1");
    assertThat(set.classes().get("a.App")).isEqualTo(CLASSES.get("a.App"));
    assertThat(set.manifest()).isPresent();
    assertThat(set.buildInfo()).isEqualTo(new BuildInfo("11", 55));
  }

  @Test
  void readsASpringBootFatJarWithNestedLibraries() throws IOException {
    byte[] lib = zip(Map.of("META-INF/MANIFEST.MF", manifest("Created-By", "lib"),
        "lib/Util.class", CLASSES.get("lib.Util")));
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("META-INF/MANIFEST.MF", manifest("Created-By", "Maven JAR Plugin 3.4.2"));
    entries.put("BOOT-INF/classes/a/App.class", CLASSES.get("a.App"));
    entries.put("BOOT-INF/classes/a/App$1.class", CLASSES.get("a.App$1"));
    entries.put("BOOT-INF/classes/application.properties", new byte[0]);
    entries.put("BOOT-INF/lib/util-1.0.jar", lib);

    ClassSet set = read(zip(entries));

    assertThat(set.classes()).containsOnlyKeys("a.App", "a.App$1", "lib.Util");
    assertThat(set.buildInfo().buildJdk()).isEqualTo("Maven JAR Plugin 3.4.2");
  }

  @Test
  void readsAWar() throws IOException {
    ClassSet set = read(zip(Map.of("WEB-INF/classes/a/App.class", CLASSES.get("a.App"),
        "WEB-INF/lib/util.jar", zip(Map.of("lib/Util.class", CLASSES.get("lib.Util"))))));

    assertThat(set.classes()).containsOnlyKeys("a.App", "lib.Util");
    assertThat(set.manifest()).isEmpty();
    assertThat(set.buildInfo()).isEqualTo(new BuildInfo("", 55));
  }

  @Test
  void refusesADuplicateEntryNamingIt() throws IOException {
    // ZipOutputStream refuses duplicates: write two names of equal length and make them equal.
    byte[] jar = zip(Map.of("a/App.class", CLASSES.get("a.App"), "a/Ap2.class", CLASSES.get("a.App")));
    String text = new String(jar, StandardCharsets.ISO_8859_1).replace("a/Ap2.class", "a/App.class");
    assertThatThrownBy(() -> read(text.getBytes(StandardCharsets.ISO_8859_1)))
        .isInstanceOf(IOException.class).hasMessage("duplicate entry a/App.class");
  }

  @Test
  void refusesACorruptNestedJarNamingIt() throws IOException {
    byte[] corrupt = zip(Map.of("lib/Util.class", CLASSES.get("lib.Util")));
    corrupt[30] ^= 0x5A; // inside the first local header's file name
    corrupt = java.util.Arrays.copyOf(corrupt, 40);
    byte[] jar = zip(Map.of("BOOT-INF/lib/broken.jar", corrupt));
    assertThatThrownBy(() -> read(jar)).isInstanceOf(IOException.class)
        .hasMessageContaining("BOOT-INF/lib/broken.jar");
  }

  @Test
  void refusesANonClassFileNamedClassNamingIt() throws IOException {
    byte[] jar = zip(Map.of("a/Fake.class", "not a class".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> read(jar)).isInstanceOf(IOException.class)
        .hasMessage("entry a/Fake.class is not a class file: no 0xCAFEBABE header");
  }

  @Test
  void refusesAClassFileAtTheWrongPath() throws IOException {
    byte[] jar = zip(Map.of("b/Other.class", CLASSES.get("a.App")));
    assertThatThrownBy(() -> read(jar)).isInstanceOf(IOException.class)
        .hasMessage("entry b/Other.class declares class a.App, not b.Other");
  }

  @Test
  void refusesTheSameClassWithDifferentBytesInTwoNestedJars() throws IOException {
    byte[] one = zip(Map.of("lib/Util.class", CLASSES.get("lib.Util")));
    byte[] changed = CLASSES.get("lib.Util").clone();
    changed[5]++; // the minor version: still a readable class file of the same name
    byte[] two = zip(Map.of("lib/Util.class", changed));
    byte[] jar = zip(new java.util.TreeMap<>(Map.of("BOOT-INF/lib/one.jar", one, "BOOT-INF/lib/two.jar", two)));
    assertThatThrownBy(() -> read(jar)).isInstanceOf(IOException.class).hasMessage(
        "class lib.Util appears twice with different bytes: in BOOT-INF/lib/one.jar!/lib/Util.class and in "
            + "BOOT-INF/lib/two.jar!/lib/Util.class");
  }

  @Test
  void refusesSomethingThatIsNotAJar() {
    assertThatThrownBy(() -> read("PK\u0003\u0004garbage-garbage-garbage-garbage".getBytes(StandardCharsets.ISO_8859_1)))
        .isInstanceOf(IOException.class).hasMessageStartingWith("not a readable jar");
  }

  @Test
  void builderChecksNamesAndCopiesBytes() {
    byte[] bytes = CLASSES.get("a.App").clone();
    ClassSet set = ClassSet.builder().add("a.App", bytes).build();
    bytes[0] = 0;
    assertThat(set.classes().get("a.App")).isEqualTo(CLASSES.get("a.App"));
    assertThatThrownBy(() -> ClassSet.builder().add("a.Other", CLASSES.get("a.App")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("class file given as a.Other declares class a.App");
    assertThatThrownBy(() -> set.classes().put("x", bytes)).isInstanceOf(UnsupportedOperationException.class);
  }
}
