package org.jlivepatch.core.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.jlivepatch.core.testing.InMemoryCompiler;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

class FingerprintsTest {

  private static Map<String, String> fingerprints(String source, String... options) {
    byte[] bytes = InMemoryCompiler.compile(Map.of("p.A", source), options).get("p.A");
    return Fingerprints.ofClass(bytes);
  }

  @Test
  void ignoresLineNumbersLocalNamesAndDebugInformation() {
    String v1 = "package p; class A { int f(int x) { int y = x * 2;\n return y + 1; } }";
    String v2 = "package p;\n\n\nclass A {\n int f(int input) {\n int doubled = input * 2;\n\n return doubled + 1; } }";
    assertThat(fingerprints(v2, "-g")).isEqualTo(fingerprints(v1, "-g:none"));
  }

  @Test
  void isTheSameForAMethodReadWithOrWithoutDebugInformation() {
    String source = "package p; class A { int f(int x) {\n int y = 0;\n for (int i = 0; i < x; i++) {\n"
        + " try { y += 10 / i; } catch (ArithmeticException e) { y--; }\n }\n return y; } }";
    byte[] bytes = InMemoryCompiler.compile(Map.of("p.A", source), "-g").get("p.A");
    ClassNode withDebug = new ClassNode();
    new ClassReader(bytes).accept(withDebug, 0);
    MethodNode method = withDebug.methods.stream().filter(m -> m.name.equals("f")).findFirst().orElseThrow();
    assertThat(Fingerprints.ofMethod(method)).isEqualTo(Fingerprints.ofClass(bytes).get("f(I)I"));
  }

  @Test
  void ofMethodsGivesTheValuesOfOfClassForTheMethodsAsked() {
    String source = "package p; class A { int f(int x) { return x > 0 ? x : -x; } String g() { return \"g\"; }"
        + " void h() {} }";
    byte[] bytes = InMemoryCompiler.compile(Map.of("p.A", source), "-g").get("p.A");
    Map<String, String> all = Fingerprints.ofClass(bytes);
    assertThat(Fingerprints.ofMethods(bytes, List.of("h()V", "f(I)I", "absent()V")))
        .containsExactly(Map.entry("f(I)I", all.get("f(I)I")), Map.entry("h()V", all.get("h()V")));
  }

  @Test
  void seesAChangedConstant() {
    String v1 = "package p; class A { String f() { return \"a\"; } }";
    String v2 = "package p; class A { String f() { return \"b\"; } }";
    assertThat(fingerprints(v2).get("f()Ljava/lang/String;")).isNotEqualTo(fingerprints(v1).get("f()Ljava/lang/String;"));
  }

  @Test
  void seesAChangedBranchTarget() {
    String v1 = "package p; class A { int f(int x) { if (x > 0) { x++; } x--; return x; } }";
    String v2 = "package p; class A { int f(int x) { if (x > 0) { x++; x--; } return x; } }";
    assertThat(fingerprints(v2).get("f(I)I")).isNotEqualTo(fingerprints(v1).get("f(I)I"));
  }

  @Test
  void isStableUnderConstantPoolReordering() {
    String source = "package p; class A { String f(int x) { return x > 3 ? \"big\" + x : String.valueOf(x * 7L); } }";
    byte[] original = InMemoryCompiler.compile(Map.of("p.A", source)).get("p.A");
    // Rewriting without the reader rebuilds the constant pool in a different order.
    ClassWriter writer = new ClassWriter(0);
    new ClassReader(original).accept(writer, 0);
    byte[] rewritten = writer.toByteArray();
    assertThat(rewritten).isNotEqualTo(original);
    assertThat(Fingerprints.ofClass(rewritten)).isEqualTo(Fingerprints.ofClass(original));
  }
}
