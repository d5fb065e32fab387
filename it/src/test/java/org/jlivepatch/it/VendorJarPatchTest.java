package org.jlivepatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.payload.PayloadLimits;
import org.jlivepatch.core.payload.PayloadReader;
import org.jlivepatch.core.testing.InMemoryCompiler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Patches built from a real vendor jar, commons-text 1.9, on real forked JVMs (JDK 17 and 25):
 * a source fix of CVE-2022-42889 written as a diff against the vendor's {@code -sources} jar, and
 * an emergency stub; each applied and reverted, with the vendor's bytes kept for every untouched
 * method. Bad inputs are refused with one clear line and nothing written.
 */
class VendorJarPatchTest {

  private static final String LOOKUP = "org.apache.commons.text.lookup.InterpolatorStringLookup";
  private static final String LOOKUP_KEY = "lookup(Ljava/lang/String;)Ljava/lang/String;";

  /** CVE-2022-42889: the default interpolator runs script, dns and url lookups; the fix refuses them. */
  private static final String FIX = String.join("\n",
      "diff --git a/src/main/java/org/apache/commons/text/lookup/InterpolatorStringLookup.java b/src/main/java/org/apache/commons/text/lookup/InterpolatorStringLookup.java",
      "--- a/src/main/java/org/apache/commons/text/lookup/InterpolatorStringLookup.java",
      "+++ b/src/main/java/org/apache/commons/text/lookup/InterpolatorStringLookup.java",
      "@@ -129,6 +129,9 @@",
      "         if (prefixPos >= 0) {",
      "             final String prefix = toKey(var.substring(0, prefixPos));",
      "             final String name = var.substring(prefixPos + 1);",
      "+            if (\"script\".equals(prefix) || \"dns\".equals(prefix) || \"url\".equals(prefix)) {",
      "+                return null; // CVE-2022-42889: no script, DNS or URL lookups",
      "+            }",
      "             final StringLookup lookup = stringLookupMap.get(prefix);",
      "             String value = null;",
      "             if (lookup != null) {",
      "");

  private static Path work;
  private static Path vendorJar;
  private static Path sourcesJar;
  private static Path lang3Jar;
  private static Path classPath;
  private static Path secret;

  @BeforeAll
  static void setUp() throws IOException {
    work = Files.createDirectories(Path.of(System.getProperty("jlivepatch.it.work", "target/it-work")));
    Path libs = Path.of(System.getProperty("jlivepatch.it.libs", "target/real-libs"));
    vendorJar = libs.resolve("commons-text-1.9.jar");
    sourcesJar = libs.resolve("commons-text-1.9-sources.jar");
    lang3Jar = libs.resolve("commons-lang3-3.11.jar");
    Map<String, byte[]> app = InMemoryCompiler.compile(Map.of("app.Main", resource("fixture/vendorapp/Main.java")),
        "--release", "17", "-classpath", vendorJar.toString());
    Path appDir = Fixtures.write(app, Files.createTempDirectory(work, "vendor-app-"));
    classPath = Path.of(appDir + File.pathSeparator + vendorJar + File.pathSeparator + lang3Jar);
    secret = Files.writeString(Files.createTempDirectory(work, "secret-").resolve("secret.txt"), "s3cret");
  }

  private static String exploit() {
    return "interpolate ${url:UTF-8:" + secret.toUri() + "}";
  }

  private static Path dir(TestInfo test) throws IOException {
    return Files.createTempDirectory(work, test.getTestMethod().orElseThrow().getName() + "-");
  }

  private static Cli.Run buildFix(Path diff, Path output, String... extra) {
    String[] base = {"build", "--old", vendorJar.toString(), "--sources", sourcesJar.toString(), "--patch",
        diff.toString(), "--classpath", lang3Jar.toString(), "--id", "cve-2022-42889", "-o", output.toString()};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return Cli.run(args);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void sourceFixOfTheVendorJarAppliesAndReverts(Jdk jdk, TestInfo test) throws Exception {
    jdk.assumePresent();
    Path dir = dir(test);
    Path payload = dir.resolve("fix.jlp");
    Cli.Run build = buildFix(Files.writeString(dir.resolve("fix.diff"), FIX), payload);
    assertThat(build.exitCode()).as(build.toString()).isZero();
    assertThat(build.out()).contains("changed  " + LOOKUP + "." + LOOKUP_KEY + " (in-place)");

    try (TargetJvm target = TargetJvm.start(jdk, classPath, dir.resolve("target"))) {
      assertThat(target.ask(exploit())).isEqualTo("s3cret");
      assertThat(target.ask("interpolate ${sys:no.such.property:-fallback} ${base64Decoder:aGk=}")).isEqualTo("fallback hi");

      Cli.Run apply = Cli.run("apply", target.pidText(), payload.toString());
      assertThat(apply.exitCode()).as(apply.toString()).isZero();
      assertThat(target.ask(exploit())).isEqualTo(exploit().substring("interpolate ".length()));
      assertThat(target.ask("interpolate ${sys:no.such.property:-fallback} ${base64Decoder:aGk=}")).isEqualTo("fallback hi");

      Cli.Run revert = Cli.run("revert", target.pidText(), "cve-2022-42889");
      assertThat(revert.exitCode()).as(revert.toString()).isZero();
      assertThat(target.ask(exploit())).isEqualTo("s3cret");
    }
  }

  @Test
  void sourceFixKeepsTheVendorBytesOfEveryUntouchedMethod(TestInfo test) throws Exception {
    Path dir = dir(test);
    Path payload = dir.resolve("fix.jlp");
    Cli.Run build = buildFix(Files.writeString(dir.resolve("fix.diff"), FIX), payload, "--json");
    assertThat(build.exitCode()).as(build.toString()).isZero();
    assertThat(build.json().getAsJsonArray("changed")).hasSize(1);

    Patch patch = new PayloadReader(PayloadLimits.DEFAULT).read(Files.readAllBytes(payload)).patch();
    assertThat(patch.classes()).extracting(PatchedClass::name).containsExactly(LOOKUP);
    PatchedClass patched = patch.classes().get(0);
    byte[] vendorBytes = vendorClasses().classes().get(LOOKUP);
    assertThat(patched.baseBytes()).isEqualTo(vendorBytes);
    assertThat(patched.methods()).singleElement().satisfies(m -> {
      assertThat(m.key()).isEqualTo(LOOKUP_KEY);
      assertThat(m.expectedFingerprint()).isEqualTo(Fingerprints.ofClass(vendorBytes).get(LOOKUP_KEY));
    });
    assertThat(patch.minJavaVersion()).isEqualTo(8);
    Map<String, MethodNode> vendorMethods = methods(vendorBytes);
    Map<String, MethodNode> patchedMethods = methods(patched.newBytes());
    assertThat(patchedMethods.keySet()).containsExactlyElementsOf(vendorMethods.keySet());
    vendorMethods.forEach((key, vendorMethod) -> {
      String vendorText = SpliceTexts.of(vendorMethod);
      String patchedText = SpliceTexts.of(patchedMethods.get(key));
      if (key.equals(LOOKUP_KEY)) {
        assertThat(patchedText).isNotEqualTo(vendorText);
      } else {
        // Debug information and frames included: exactly the vendor's method.
        assertThat(patchedText).as(key).isEqualTo(vendorText);
      }
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void stubOfAVendorMethodAppliesAndReverts(Jdk jdk, TestInfo test) throws Exception {
    jdk.assumePresent();
    Path dir = dir(test);
    Path payload = dir.resolve("stub.jlp");
    Cli.Run build = Cli.run("build", "--old", vendorJar.toString(),
        "--stub", "org.apache.commons.text.lookup.UrlStringLookup#lookup", "--returns", "null",
        "--id", "no-url-lookups", "-o", payload.toString());
    assertThat(build.exitCode()).as(build.toString()).isZero();
    assertThat(build.out()).contains(
        "changed  org.apache.commons.text.lookup.UrlStringLookup.lookup(Ljava/lang/String;)Ljava/lang/String; (in-place)");

    try (TargetJvm target = TargetJvm.start(jdk, classPath, dir.resolve("target"))) {
      assertThat(target.ask(exploit())).isEqualTo("s3cret");
      Cli.Run apply = Cli.run("apply", target.pidText(), payload.toString());
      assertThat(apply.exitCode()).as(apply.toString()).isZero();
      assertThat(target.ask(exploit())).isEqualTo(exploit().substring("interpolate ".length()));
      assertThat(target.ask("interpolate ${base64Decoder:aGk=}")).isEqualTo("hi");
      Cli.Run revert = Cli.run("revert", target.pidText(), "no-url-lookups");
      assertThat(revert.exitCode()).as(revert.toString()).isZero();
      assertThat(target.ask(exploit())).isEqualTo("s3cret");
    }
  }

  @Test
  void badFixesAreRefusedWithOneClearLineAndNothingWritten(TestInfo test) throws Exception {
    Path dir = dir(test);
    Path output = dir.resolve("bad.jlp");

    Path stale = Files.writeString(dir.resolve("stale.diff"),
        FIX.replace("             final String name = var.substring(prefixPos + 1);",
            "             final String name = var.substring(prefixPos);"));
    Cli.Run notApplying = buildFix(stale, output);
    assertThat(notApplying.exitCode()).as(notApplying.toString()).isEqualTo(1);
    assertThat(notApplying.err().lines()).singleElement().asString()
        .startsWith("jlivepatch: --patch " + stale + ": the diff does not apply to "
            + "org/apache/commons/text/lookup/InterpolatorStringLookup.java: hunk 1 of 1 (@@ -129,6 +129,9 @@)");

    Path broken = Files.writeString(dir.resolve("broken.diff"), FIX.replace("return null; //", "return nothing; //"));
    Cli.Run notCompiling = buildFix(broken, output);
    assertThat(notCompiling.exitCode()).as(notCompiling.toString()).isEqualTo(1);
    assertThat(notCompiling.err().lines()).singleElement().asString().isEqualTo("jlivepatch: the patched sources do not "
        + "compile: org/apache/commons/text/lookup/InterpolatorStringLookup.java:133: cannot find symbol");

    Path addsField = Files.writeString(dir.resolve("field.diff"), String.join("\n",
        "--- a/org/apache/commons/text/lookup/InterpolatorStringLookup.java",
        "+++ b/org/apache/commons/text/lookup/InterpolatorStringLookup.java",
        "@@ -129,6 +129,7 @@",
        "         if (prefixPos >= 0) {",
        "             final String prefix = toKey(var.substring(0, prefixPos));",
        "             final String name = var.substring(prefixPos + 1);",
        "+            lookups++;",
        "             final StringLookup lookup = stringLookupMap.get(prefix);",
        "             String value = null;",
        "             if (lookup != null) {",
        "@@ -151,4 +152,5 @@",
        "         return super.toString() + \" [stringLookupMap=\" + stringLookupMap + \", defaultStringLookup=\"",
        "             + defaultStringLookup + \"]\";",
        "     }",
        "+    private int lookups;",
        " }",
        ""));
    Cli.Run field = buildFix(addsField, output);
    assertThat(field.exitCode()).as(field.toString()).isEqualTo(3);
    assertThat(field.out()).contains("refused  " + LOOKUP + ": the fix adds methods, lambdas or fields to the class,"
        + " which only a trampoline carries, and a build from sources carries in-place changes only");
    assertThat(field.err().lines()).singleElement().asString().startsWith("jlivepatch: refused: 1 difference(s)");

    Cli.Run impossible = Cli.run("build", "--old", vendorJar.toString(), "--stub",
        "org.apache.commons.text.lookup.UrlStringLookup#lookup", "--returns", "throw:java.lang.String",
        "--id", "bad-stub", "-o", output.toString());
    assertThat(impossible.exitCode()).as(impossible.toString()).isEqualTo(3);
    assertThat(impossible.out()).contains("java.lang.String is not a Throwable");

    Cli.Run conflicting = Cli.run("build", "--old", vendorJar.toString(), "--new", vendorJar.toString(),
        "--sources", sourcesJar.toString(), "--patch", stale.toString(), "--id", "x", "-o", output.toString());
    assertThat(conflicting.exitCode()).as(conflicting.toString()).isEqualTo(2);
    assertThat(conflicting.err()).contains("give only one of --new PATH, --sources SRC");

    assertThat(output).doesNotExist();
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".jlp"));
    }
  }

  private static ClassSet vendorClasses() throws IOException {
    try (InputStream in = Files.newInputStream(vendorJar)) {
      return ClassSet.readJar(in);
    }
  }

  private static Map<String, MethodNode> methods(byte[] classFile) {
    ClassNode node = new ClassNode();
    new ClassReader(classFile).accept(node, 0);
    Map<String, MethodNode> methods = new java.util.LinkedHashMap<>();
    node.methods.forEach(m -> methods.put(m.name + m.desc, m));
    return methods;
  }

  private static String resource(String name) {
    try (InputStream in = VendorJarPatchTest.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A method's full disassembly: instructions, debug information, frames, attributes. */
  private static final class SpliceTexts {
    static String of(MethodNode method) {
      org.objectweb.asm.util.Textifier textifier = new org.objectweb.asm.util.Textifier();
      method.accept(new org.objectweb.asm.util.TraceMethodVisitor(textifier));
      java.io.StringWriter text = new java.io.StringWriter();
      textifier.print(new java.io.PrintWriter(text));
      return method.access + " " + method.signature + " " + method.exceptions + "\n" + text;
    }
  }
}
