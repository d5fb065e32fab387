package org.jlivepatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.jlivepatch.core.testing.InMemoryCompiler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code build} from a vendor jar: --sources with --new-sources, --stub, and the mode rules. */
class VendorBuildCommandTest {

  static final String SOURCE = String.join("\n",
      "package com.vendor;",
      "public final class Greeter {",
      "  public static String greet(String name) { return \"Hello, \" + name; }",
      "  public static String greet(String name, int times) { return greet(name).repeat(times); }",
      "  public static int size() { return 1; }",
      "}",
      "");

  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = JLivePatch.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(exit, out.toString(), err.toString());
  }

  Path vendorJar() throws IOException {
    Path jar = dir.resolve("vendor.jar");
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
      for (Map.Entry<String, byte[]> entry
          : InMemoryCompiler.compile(Map.of("com.vendor.Greeter", SOURCE), "--release", "17", "-g").entrySet()) {
        out.putNextEntry(new JarEntry(entry.getKey().replace('.', '/') + ".class"));
        out.write(entry.getValue());
      }
    }
    return jar;
  }

  @Test
  void buildsFromSourcesAndNewSources() throws IOException {
    Path jar = vendorJar();
    Path sources = Files.createDirectories(dir.resolve("src/main/java/com/vendor"));
    Files.writeString(sources.resolve("Greeter.java"), SOURCE);
    Path fixed = Files.createDirectories(dir.resolve("fixed/com/vendor"));
    Files.writeString(fixed.resolve("Greeter.java"), SOURCE.replace("\"Hello, \" + name", "\"Hello, \" + name.strip()"));
    Path output = dir.resolve("fix.jlp");

    Run build = run("build", "--old", jar.toString(), "--sources", dir.resolve("src").toString(),
        "--new-sources", dir.resolve("fixed").toString(), "--id", "strip", "-o", output.toString());

    assertThat(build.exit()).as(build.toString()).isZero();
    assertThat(build.out()).contains("built strip: 1 method(s) in 1 class(es)",
        "changed  com.vendor.Greeter.greet(Ljava/lang/String;)Ljava/lang/String; (in-place)");
    assertThat(output).exists();
  }

  @Test
  void stubsNameOneMethod() throws IOException {
    Path jar = vendorJar();
    Path output = dir.resolve("stub.jlp");
    Run ambiguous = run("build", "--old", jar.toString(), "--stub", "Greeter#greet", "--returns", "null",
        "--id", "stub", "-o", output.toString());
    assertThat(ambiguous.exit()).isEqualTo(2);
    assertThat(ambiguous.err()).isEqualTo("jlivepatch: --stub 'Greeter#greet': com.vendor.Greeter#greet is ambiguous: "
        + "[greet(Ljava/lang/String;)Ljava/lang/String;, greet(Ljava/lang/String;I)Ljava/lang/String;]; add the "
        + "descriptor, e.g. com.vendor.Greeter#greet(Ljava/lang/String;)Ljava/lang/String;\n");
    assertThat(output).doesNotExist();

    Run stub = run("build", "--old", jar.toString(), "--stub", "Greeter#greet(Ljava/lang/String;I)", "--returns",
        "throw:java.lang.UnsupportedOperationException", "--id", "stub", "-o", output.toString(), "--json");
    assertThat(stub.exit()).as(stub.toString()).isZero();
    assertThat(stub.out()).contains("\"descriptor\": \"(Ljava/lang/String;I)Ljava/lang/String;\"", "emergency stub");
    assertThat(output).exists();

    Run impossible = run("build", "--old", jar.toString(), "--stub", "Greeter#size", "--returns", "null",
        "--id", "stub2", "-o", dir.resolve("stub2.jlp").toString());
    assertThat(impossible.exit()).isEqualTo(3);
    assertThat(impossible.out()).contains("refused  com.vendor.Greeter method size()I: cannot return null from a method returning int");
    assertThat(dir.resolve("stub2.jlp")).doesNotExist();
  }

  @Test
  void modesDoNotMix() throws IOException {
    Path jar = vendorJar();
    String out = dir.resolve("x.jlp").toString();
    assertThat(run("build", "--old", jar.toString(), "--id", "x", "-o", out).err())
        .contains("give --new PATH, --sources SRC (with --patch or --new-sources), or --stub METHOD (with --returns)");
    assertThat(run("build", "--old", jar.toString(), "--new", jar.toString(), "--stub", "A#b", "--returns", "null",
        "--id", "x", "-o", out).exit()).isEqualTo(2);
    assertThat(run("build", "--old", jar.toString(), "--sources", jar.toString(), "--id", "x", "-o", out).err())
        .contains("--sources needs exactly one of --patch FIX.diff and --new-sources DIR");
    assertThat(run("build", "--old", jar.toString(), "--stub", "Greeter#size", "--id", "x", "-o", out).err())
        .contains("--stub needs --returns");
    assertThat(run("build", "--old", jar.toString(), "--new", jar.toString(), "--classpath", jar.toString(),
        "--id", "x", "-o", out).exit()).isEqualTo(2);
    assertThat(dir.resolve("x.jlp")).doesNotExist();
  }
}
