package org.jlivepatch.core.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.diff.DiffResult;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.testing.InMemoryCompiler;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.Remapper;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.util.Textifier;
import org.objectweb.asm.util.TraceMethodVisitor;

class SourceFixBuilderTest {

  static final String PATH = "com/vendor/Lookup.java";
  static final String SOURCE = String.join("\n",
      "package com.vendor;",
      "",
      "import java.util.List;",
      "import java.util.function.Function;",
      "",
      "public final class Lookup {",
      "  private final String prefix;",
      "",
      "  public Lookup(String prefix) {",
      "    this.prefix = prefix;",
      "  }",
      "",
      "  public String resolve(String key) {",
      "    if (key.startsWith(\"script:\")) {",
      "      return \"evaluated \" + key.substring(7);",
      "    }",
      "    return prefix + key;",
      "  }",
      "",
      "  public List<String> all(List<String> keys) {",
      "    Function<String, String> f = k -> resolve(k.trim());",
      "    return keys.stream().map(f).collect(java.util.stream.Collectors.toList());",
      "  }",
      "",
      "  public int size() {",
      "    return prefix.length();",
      "  }",
      "}",
      "");

  static final String FIX = String.join("\n",
      "--- a/src/main/java/com/vendor/Lookup.java",
      "+++ b/src/main/java/com/vendor/Lookup.java",
      "@@ -12,7 +12,7 @@",
      " ",
      "   public String resolve(String key) {",
      "     if (key.startsWith(\"script:\")) {",
      "-      return \"evaluated \" + key.substring(7);",
      "+      throw new IllegalArgumentException(\"script lookups are disabled\");",
      "     }",
      "     return prefix + key;",
      "   }",
      "");

  static ClassSet vendor(String... options) {
    ClassSet.Builder builder = ClassSet.builder();
    InMemoryCompiler.compile(Map.of("com.vendor.Lookup", SOURCE), options).forEach(builder::add);
    return builder.build();
  }

  static DiffResult build(ClassSet vendor, String diff) throws SourceFixException {
    Map<String, String> sources = Map.of(PATH, SOURCE);
    Map<String, String> patched = SourceDiff.apply(sources, diff);
    Map<String, String> originals = new LinkedHashMap<>();
    patched.keySet().forEach(path -> {
      if (sources.containsKey(path)) {
        originals.put(path, sources.get(path));
      }
    });
    return SourceFixBuilder.build(vendor, List.of(), originals, patched);
  }

  @Test
  void splicesOnlyTheFixedMethodIntoTheVendorBytes() throws Exception {
    ClassSet vendor = vendor("--release", "17", "-g");
    DiffResult result = build(vendor, FIX);

    assertThat(result.refused()).isEmpty();
    assertThat(result.changed()).singleElement()
        .satisfies(m -> assertThat(m.method() + m.descriptor()).isEqualTo("resolve(Ljava/lang/String;)Ljava/lang/String;"));
    PatchedClass patched = result.classes().get(0);
    byte[] vendorBytes = vendor.classes().get("com.vendor.Lookup");
    assertThat(patched.baseBytes()).isEqualTo(vendorBytes);
    assertUntouchedMethodsAsVendor(vendorBytes, patched.newBytes(), "resolve(Ljava/lang/String;)Ljava/lang/String;");
    assertThat(patched.methods().get(0).expectedFingerprint())
        .isEqualTo(Fingerprints.ofClass(vendorBytes).get("resolve(Ljava/lang/String;)Ljava/lang/String;"));
    assertThat(result.toPatch("fix", "", java.util.Optional.empty(), List.of()).minJavaVersion()).isEqualTo(17);

    Object lookup = load(patched.newBytes()).getConstructor(String.class).newInstance("p:");
    Method resolve = lookup.getClass().getMethod("resolve", String.class);
    assertThat(resolve.invoke(lookup, "x")).isEqualTo("p:x");
    assertThatThrownBy(() -> resolve.invoke(lookup, "script:1"))
        .hasRootCauseInstanceOf(IllegalArgumentException.class).hasRootCauseMessage("script lookups are disabled");
  }

  @Test
  void compilesWithTheVendorsReleaseAndDebugOptions() throws Exception {
    ClassSet vendor = vendor("--release", "11", "-g:none");
    assertThat(SourceFixBuilder.compilerOptions(vendor.classes().values())).containsSubsequence("--release", "11", "-g:none");
    DiffResult result = build(vendor, FIX);
    assertThat(result.refused()).isEmpty();
    assertThat(result.warnings()).isEmpty();
    assertThat(result.newBuild().majorVersion()).isEqualTo(55);
    assertUntouchedMethodsAsVendor(vendor.classes().get("com.vendor.Lookup"), result.classes().get(0).newBytes(),
        "resolve(Ljava/lang/String;)Ljava/lang/String;");
  }

  @Test
  void givesRenumberedLambdasTheVendorsNames() throws Exception {
    // The vendor's compiler numbered the lambda differently from this javac.
    ClassSet compiled = vendor("--release", "17", "-g");
    ClassSet.Builder renumbered = ClassSet.builder();
    renumbered.add("com.vendor.Lookup", rename(compiled.classes().get("com.vendor.Lookup"), "lambda$all$0", "lambda$all$7"));
    ClassSet vendor = renumbered.build();
    String fixInLambda = String.join("\n",
        "--- a/com/vendor/Lookup.java",
        "+++ b/com/vendor/Lookup.java",
        "@@ -20,3 +20,3 @@",
        "   public List<String> all(List<String> keys) {",
        "-    Function<String, String> f = k -> resolve(k.trim());",
        "+    Function<String, String> f = k -> resolve(k.strip());",
        "     return keys.stream().map(f).collect(java.util.stream.Collectors.toList());",
        "");
    DiffResult result = build(vendor, fixInLambda);

    assertThat(result.refused()).isEmpty();
    assertThat(result.changed()).extracting(m -> m.method()).containsExactly("lambda$all$7");
    assertThat(result.renamed()).anySatisfy(r -> {
      assertThat(r.oldName()).isEqualTo("lambda$all$7");
      assertThat(r.newName()).isEqualTo("lambda$all$0");
    });
    byte[] vendorBytes = vendor.classes().get("com.vendor.Lookup");
    assertUntouchedMethodsAsVendor(vendorBytes, result.classes().get(0).newBytes(),
        "lambda$all$7(Ljava/lang/String;)Ljava/lang/String;");
    Object lookup = load(result.classes().get(0).newBytes()).getConstructor(String.class).newInstance("p:");
    assertThat(lookup.getClass().getMethod("all", List.class).invoke(lookup, List.of("\u2003a"))).isEqualTo(List.of("p:a"));
  }

  @Test
  void warnsWhenTheRecompiledOriginalDiffersFromTheVendor() throws Exception {
    // The vendor's bytes of resolve are not what these sources compile to.
    ClassSet.Builder builder = ClassSet.builder();
    InMemoryCompiler.compile(Map.of("com.vendor.Lookup", SOURCE.replace("return prefix + key;", "return prefix.concat(key);")),
        "--release", "17", "-g").forEach(builder::add);
    DiffResult result = build(builder.build(), FIX);

    assertThat(result.refused()).isEmpty();
    assertThat(result.warnings()).anySatisfy(w -> {
      assertThat(w.member()).isEqualTo("method resolve(Ljava/lang/String;)Ljava/lang/String;");
      assertThat(w.message()).startsWith("recompiled original differs from the vendor's bytes");
    });
  }

  @Test
  void refusesAFixThatAddsAField() throws Exception {
    String addsField = String.join("\n",
        "--- a/com/vendor/Lookup.java",
        "+++ b/com/vendor/Lookup.java",
        "@@ -6,3 +6,4 @@",
        " public final class Lookup {",
        "   private final String prefix;",
        "+  private int calls;",
        " ",
        "");
    DiffResult result = build(vendor("--release", "17", "-g"), addsField);
    assertThat(result.classes()).isEmpty();
    assertThat(result.refused()).singleElement().satisfies(r -> {
      assertThat(r.className()).isEqualTo("com.vendor.Lookup");
      assertThat(r.reason()).startsWith("the fix adds methods, lambdas or fields to the class, which only a "
          + "trampoline carries, and a build from sources carries in-place changes only");
    });
  }

  @Test
  void aDiffThatDoesNotApplyNamesTheFileAndHunk() {
    String stale = FIX.replace("-      return \"evaluated \" + key.substring(7);", "-      return \"run \" + key;");
    assertThatThrownBy(() -> build(vendor("--release", "17"), stale))
        .isInstanceOf(DiffNotApplicableException.class)
        .hasMessageStartingWith("the diff does not apply to com/vendor/Lookup.java: hunk 1 of 1 (@@ -12,7 +12,7 @@)")
        .satisfies(e -> assertThat(((DiffNotApplicableException) e).file()).isEqualTo(PATH));
    assertThatThrownBy(() -> SourceDiff.apply(Map.of(PATH, SOURCE), FIX.replace("vendor/Lookup", "other/Lookup")))
        .isInstanceOf(DiffNotApplicableException.class)
        .hasMessage("the diff changes src/main/java/com/other/Lookup.java, which is not among the sources");
    assertThatThrownBy(() -> SourceDiff.apply(Map.of(PATH, SOURCE), "just some text\n"))
        .isInstanceOf(DiffNotApplicableException.class).hasMessageContaining("changes no file");
  }

  @Test
  void aFixThatDoesNotCompileGivesJavacsFirstError() {
    String broken = FIX.replace("throw new IllegalArgumentException(\"script lookups are disabled\");", "return nope;");
    assertThatThrownBy(() -> build(vendor("--release", "17"), broken))
        .isInstanceOf(CompilationFailedException.class)
        .hasMessageStartingWith("the patched sources do not compile: com/vendor/Lookup.java:15: cannot find symbol");
  }

  @Test
  void compilesAgainstTheVendorClassesNotTheToolsClassPath() {
    // ASM is on this test's class path, not on the vendor's: the fix must not see it.
    String usesAsm = FIX.replace("throw new IllegalArgumentException(\"script lookups are disabled\");",
        "return org.objectweb.asm.Type.getType(key).toString();");
    assertThatThrownBy(() -> build(vendor("--release", "17"), usesAsm))
        .isInstanceOf(CompilationFailedException.class)
        .hasMessageContaining("com/vendor/Lookup.java:15: package org.objectweb.asm does not exist");
  }

  static void assertUntouchedMethodsAsVendor(byte[] vendorBytes, byte[] patchedBytes, String fixed) {
    Map<String, String> vendorMethods = methodTexts(vendorBytes);
    Map<String, String> patchedMethods = methodTexts(patchedBytes);
    assertThat(patchedMethods.keySet()).containsExactlyElementsOf(vendorMethods.keySet());
    vendorMethods.forEach((key, text) -> {
      if (key.equals(fixed)) {
        assertThat(patchedMethods.get(key)).as(key).isNotEqualTo(text);
      } else {
        assertThat(patchedMethods.get(key)).as(key).isEqualTo(text);
      }
    });
    ClassNode vendorNode = new ClassNode();
    new ClassReader(vendorBytes).accept(vendorNode, 0);
    ClassNode patchedNode = new ClassNode();
    new ClassReader(patchedBytes).accept(patchedNode, 0);
    assertThat(patchedNode.fields).extracting(f -> f.name + f.desc).containsExactlyElementsOf(
        vendorNode.fields.stream().map(f -> f.name + f.desc).toList());
  }

  /** Every method's full disassembly, debug information and frames included. */
  static Map<String, String> methodTexts(byte[] classFile) {
    ClassNode node = new ClassNode();
    new ClassReader(classFile).accept(node, 0);
    Map<String, String> texts = new LinkedHashMap<>();
    for (MethodNode method : node.methods) {
      Textifier textifier = new Textifier();
      method.accept(new TraceMethodVisitor(textifier));
      StringWriter text = new StringWriter();
      textifier.print(new PrintWriter(text));
      texts.put(method.name + method.desc, method.access + " " + text);
    }
    return texts;
  }

  static byte[] rename(byte[] classFile, String from, String to) {
    ClassWriter writer = new ClassWriter(0);
    new ClassReader(classFile).accept(new ClassRemapper(writer, new Remapper(Opcodes.ASM9) {
      @Override
      public String mapMethodName(String owner, String name, String descriptor) {
        return name.equals(from) ? to : name;
      }
    }), 0);
    return writer.toByteArray();
  }

  static Class<?> load(byte[] classFile) throws ClassNotFoundException {
    String name = new ClassReader(classFile).getClassName().replace('/', '.');
    return new ClassLoader(SourceFixBuilderTest.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String className) throws ClassNotFoundException {
        if (className.equals(name)) {
          return defineClass(name, classFile, 0, classFile.length);
        }
        throw new ClassNotFoundException(className);
      }
    }.loadClass(name);
  }

}
