package org.jlivepatch.core.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.testing.InMemoryCompiler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * {@link MethodComparison} must give exactly the verdict of comparing canonical forms. Checked on
 * every method of real releases (copied into the build folder by the dependency plugin, see
 * core/pom.xml): each method against its namesake in the next release, against itself read without
 * debug information and frames, and against unrelated methods of its own and another class.
 */
class MethodComparisonTest {

  private final Map<MethodNode, String> forms = new IdentityHashMap<>();
  private final List<String> disagreements = new ArrayList<>();
  private int equalPairs;
  private int differentPairs;
  private int differentNamesakes;

  @ParameterizedTest
  @CsvSource({
      "guava-31.1-jre.jar, guava-32.0.0-jre.jar, 1000, 200",
      "guava-24.1-jre.jar, guava-24.1.1-jre.jar, 1000, 1",
      "spring-beans-5.3.17.jar, spring-beans-5.3.18.jar, 1000, 1"})
  void agreesWithCanonicalFormsOnEveryMethodOfTwoReleases(String oldJar, String newJar, int minEqual,
      int minChangedNamesakes) throws IOException {
    List<ClassNode> olds = read(jar(oldJar), 0);
    Map<String, ClassNode> news = byName(read(jar(newJar), 0));
    Map<String, ClassNode> newsWithoutDebug = byName(read(jar(newJar), ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES));

    for (int c = 0; c < olds.size(); c++) {
      ClassNode oldClass = olds.get(c);
      ClassNode otherClass = olds.get((c + 1) % olds.size());
      ClassNode newClass = news.get(oldClass.name);
      ClassNode newClassWithoutDebug = newsWithoutDebug.get(oldClass.name);
      for (int m = 0; m < oldClass.methods.size(); m++) {
        MethodNode method = oldClass.methods.get(m);
        if (newClass != null) {
          MethodNode namesake = find(newClass, method);
          if (namesake != null) {
            if (!check(method, namesake)) {
              differentNamesakes++;
            }
            check(method, find(newClassWithoutDebug, method));
            check(namesake, find(newClassWithoutDebug, method));
          }
        }
        check(method, oldClass.methods.get((m + 1) % oldClass.methods.size()));
        if (!otherClass.methods.isEmpty()) {
          check(method, otherClass.methods.get(m % otherClass.methods.size()));
        }
      }
    }

    assertThat(disagreements).isEmpty();
    assertThat(equalPairs).isGreaterThanOrEqualTo(minEqual);
    assertThat(differentPairs).isGreaterThanOrEqualTo(minEqual);
    assertThat(differentNamesakes).isGreaterThanOrEqualTo(minChangedNamesakes);
  }

  @Test
  void seesWhatTheCanonicalFormSeesInCompiledCode() {
    String base = "package p; class A { int f(int x) { int y = 0; for (int i = 0; i < x; i++) { try { y += 10 / i; }"
        + " catch (ArithmeticException e) { y--; } } switch (x) { case 1: return 7; case 9: return 8; } return y; } }";
    String[] variants = {
        base.replace("y--", "y++"), // instruction
        base.replace("10 / i", "11 / i"), // operand
        base.replace("case 9", "case 10"), // switch key
        base.replace("ArithmeticException", "RuntimeException"), // handler type
        base.replace("y--; }", "y--; } finally { x--; }"), // handlers
        base.replace("i < x", "i <= x"), // branch
    };
    MethodNode original = method(base, "-g");
    assertThat(MethodComparison.sameFingerprint(original, method(base, "-g:none"))).isTrue();
    for (String variant : variants) {
      MethodNode changed = method(variant, "-g");
      assertThat(MethodComparison.sameFingerprint(original, changed)).as(variant).isFalse();
      assertThat(Fingerprints.canonicalForm(changed)).as(variant).isNotEqualTo(Fingerprints.canonicalForm(original));
    }
  }

  private static MethodNode method(String source, String option) {
    byte[] bytes = InMemoryCompiler.compile(Map.of("p.A", source), option).get("p.A");
    ClassNode node = new ClassNode();
    new ClassReader(bytes).accept(node, 0);
    return node.methods.stream().filter(m -> m.name.equals("f")).findFirst().orElseThrow();
  }

  /** Returns the structural verdict after recording whether it agrees with the canonical forms. */
  private boolean check(MethodNode a, MethodNode b) {
    boolean structural = MethodComparison.sameFingerprint(a, b);
    boolean textual = form(a).equals(form(b));
    if (structural != textual && disagreements.size() < 10) {
      disagreements.add((textual ? "equal forms, compared different: " : "different forms, compared equal: ")
          + a.name + a.desc + " / " + b.name + b.desc + "\n" + form(a) + "---\n" + form(b));
    }
    if (textual) {
      equalPairs++;
    } else {
      differentPairs++;
    }
    return structural;
  }

  private String form(MethodNode method) {
    return forms.computeIfAbsent(method, Fingerprints::canonicalForm);
  }

  private static MethodNode find(ClassNode node, MethodNode like) {
    for (MethodNode method : node.methods) {
      if (method.name.equals(like.name) && method.desc.equals(like.desc)) {
        return method;
      }
    }
    return null;
  }

  private static ClassSet jar(String fileName) throws IOException {
    String folder = System.getProperty("jlp.realJars");
    assertThat(folder).as("system property jlp.realJars (set by surefire in core/pom.xml)").isNotNull();
    try (InputStream in = Files.newInputStream(Path.of(folder, fileName))) {
      return ClassSet.readJar(in);
    }
  }

  private static List<ClassNode> read(ClassSet classes, int flags) {
    List<ClassNode> nodes = new ArrayList<>();
    for (byte[] bytes : classes.classes().values()) {
      ClassNode node = new ClassNode();
      new ClassReader(bytes).accept(node, flags);
      nodes.add(node);
    }
    return nodes;
  }

  private static Map<String, ClassNode> byName(List<ClassNode> nodes) {
    Map<String, ClassNode> result = new java.util.HashMap<>();
    nodes.forEach(n -> result.put(n.name, n));
    return result;
  }
}
