package org.jlivepatch.core.diff;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.Ignored;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.model.Refusal;
import org.jlivepatch.core.model.Renamed;
import org.jlivepatch.core.model.Warning;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;

/** One scenario per classification, from fixture sources compiled in two versions. */
class ClassDifferTest {

  private static final String COUNTER_V1 = """
      package p;
      public class A {
        public int next(int x) { return x + 1; }
        public String name() { return "counter"; }
        public int clamp(int x) {
          if (x > 9) {
            return 9;
          }
          return x;
        }
      }
      """;

  @Test
  void changedBodyIsPatchedInPlaceWithOnlyThatMethodSpliced() throws Exception {
    String v2 = COUNTER_V1.replace("x + 1", "x + 2");
    ClassSet old = Builds.compile(COUNTER_V1, "-g");
    ClassSet fixed = Builds.compile(v2, "-g");

    DiffResult result = ClassDiffer.diff(old, fixed, DiffOptions.ALL);

    assertThat(result.refused()).isEmpty();
    assertThat(result.changed()).containsExactly(new ChangedMethod("p.A", "next", "(I)I", ChangeKind.IN_PLACE));
    PatchedClass patched = result.classes().get(0);
    assertThat(patched.name()).isEqualTo("p.A");
    assertThat(patched.baseBytes()).isEqualTo(old.classes().get("p.A"));
    PatchedMethod method = patched.methods().get(0);
    assertThat(method.key()).isEqualTo("next(I)I");
    assertThat(method.expectedFingerprint()).isEqualTo(Fingerprints.ofClass(old.classes().get("p.A")).get("next(I)I"));
    assertThat(method.newFingerprint()).isEqualTo(Fingerprints.ofClass(fixed.classes().get("p.A")).get("next(I)I"))
        .isNotEqualTo(method.expectedFingerprint());
    // Untouched methods keep the old fingerprint; the patched class runs the new body.
    assertThat(Fingerprints.ofClass(patched.newBytes()).get("name()Ljava/lang/String;"))
        .isEqualTo(Fingerprints.ofClass(old.classes().get("p.A")).get("name()Ljava/lang/String;"));
    Class<?> loaded = Builds.load(old, Map.of("p.A", patched.newBytes())).loadClass("p.A");
    Object counter = loaded.getConstructor().newInstance();
    assertThat(loaded.getMethod("next", int.class).invoke(counter, 1)).isEqualTo(3);
    assertThat(result.patchable()).isTrue();
  }

  @Test
  void lineNumbersOnlyAreIgnoredWithThatReason() {
    String v2 = COUNTER_V1.replace("public int next", "\n\n  public int next");
    DiffResult result = Builds.diff(COUNTER_V1, v2);

    assertThat(result.changed()).isEmpty();
    assertThat(result.classes()).isEmpty();
    assertThat(result.refused()).isEmpty();
    assertThat(result.ignored()).contains(new Ignored("p.A", "next", "(I)I", "line numbers only"));
    assertThat(result.patchable()).isFalse();
  }

  @Test
  void localVariableNamesOnlyAreIgnoredWithThatReason() {
    String v1 = "package p; class A { int f(int x) { int doubled = x * 2; return doubled; } }";
    String v2 = "package p; class A { int f(int input) { int twice = input * 2; return twice; } }";
    DiffResult result = Builds.diff(v1, v2);

    assertThat(result.changed()).isEmpty();
    assertThat(result.ignored()).containsExactly(new Ignored("p.A", "f", "(I)I", "local variable names only"));
  }

  @Test
  void debugAttributesOnlyAreIgnoredAndTheCompilationDifferenceWarned() {
    ClassSet old = Builds.compile(COUNTER_V1, "-g");
    ClassSet fixed = Builds.compile(COUNTER_V1, "-g:none");
    DiffResult result = ClassDiffer.diff(old, fixed, DiffOptions.ALL);

    assertThat(result.changed()).isEmpty();
    assertThat(result.ignored()).extracting(Ignored::method, Ignored::reason).contains(
        org.assertj.core.groups.Tuple.tuple("next",
            "debug attributes (line numbers only in the old build, local variables only in the old build) only"),
        org.assertj.core.groups.Tuple.tuple("", "debug attributes (source file only in the old build) only"));
    assertThat(result.warnings()).extracting(Warning::message)
        .anyMatch(m -> m.startsWith("line numbers (-g:lines) present in the old build only, in 1 class(es), e.g. p.A"))
        .anyMatch(m -> m.startsWith("local variable tables (-g:vars) present in the old build only"));
  }

  @Test
  void constantPoolOrderOnlyIsIgnoredWithThatReason() {
    ClassSet old = Builds.compile(COUNTER_V1, "-g");
    ClassWriter writer = new ClassWriter(0); // no reader: the constant pool is rebuilt in visiting order
    new ClassReader(old.classes().get("p.A")).accept(writer, 0);
    ClassSet rewritten = ClassSet.builder().add("p.A", writer.toByteArray()).build();
    assertThat(rewritten.classes().get("p.A")).isNotEqualTo(old.classes().get("p.A"));

    DiffResult result = ClassDiffer.diff(old, rewritten, DiffOptions.ALL);

    assertThat(result.changed()).isEmpty();
    assertThat(result.ignored()).containsExactly(new Ignored("p.A", "", "", "constant-pool order only"));
  }

  @Test
  void annotationOnlyChangeIsIgnoredBecauseFrameworksReadThemAtStartup() {
    String v2 = COUNTER_V1.replace("public String name()", "@Deprecated public String name()");
    DiffResult result = Builds.diff(COUNTER_V1, v2);

    assertThat(result.changed()).isEmpty();
    assertThat(result.ignored()).singleElement().satisfies(i -> {
      assertThat(i.method()).isEqualTo("name");
      assertThat(i.reason()).startsWith("annotations only: frameworks read annotations at startup");
    });
  }

  private static final String LAMBDAS_V1 = """
      package p;
      import java.util.function.Supplier;
      public class A {
        public Supplier<String> a(String s) { return () -> "a:" + s; }
        public Supplier<String> b(String s) { return () -> "b:" + s; }
        public String run() { return a("1").get() + b("2").get(); }
      }
      """;

  /** The same methods in the opposite order: javac numbers lambdas in order of appearance. */
  private static final String LAMBDAS_V2_REORDERED_AND_FIXED = """
      package p;
      import java.util.function.Supplier;
      public class A {
        public Supplier<String> b(String s) { return () -> "b:" + s; }
        public Supplier<String> a(String s) { return () -> "a:" + s; }
        public String run() { return a("1").get() + "/" + b("2").get(); }
      }
      """;

  @Test
  void renumberedLambdasAreMatchedByContentAndTheFixStillCallsTheRunningOnes() throws Exception {
    ClassSet old = Builds.compile(LAMBDAS_V1, "-g");
    ClassSet fixed = Builds.compile(LAMBDAS_V2_REORDERED_AND_FIXED, "-g");
    assertThat(Fingerprints.ofClass(old.classes().get("p.A"))).containsKeys("lambda$a$0(Ljava/lang/String;)Ljava/lang/String;");
    assertThat(Fingerprints.ofClass(fixed.classes().get("p.A"))).containsKeys("lambda$a$1(Ljava/lang/String;)Ljava/lang/String;");

    DiffResult result = ClassDiffer.diff(old, fixed, DiffOptions.ALL);

    assertThat(result.refused()).isEmpty();
    assertThat(result.renamed()).containsExactly(
        new Renamed("p.A", "lambda", "lambda$a$0", "lambda$a$1"),
        new Renamed("p.A", "lambda", "lambda$b$1", "lambda$b$0"));
    // a() and b() are equal once their lambdas carry the old names; only run() changed.
    assertThat(result.changed()).extracting(ChangedMethod::method).containsExactly("run");
    byte[] patched = result.classes().get(0).newBytes();
    Class<?> loaded = Builds.load(old, Map.of("p.A", patched)).loadClass("p.A");
    Method run = loaded.getMethod("run");
    assertThat(run.invoke(loaded.getConstructor().newInstance())).isEqualTo("a:1/b:2");
  }

  @Test
  void changedLambdaBodyIsPatchedInPlace() {
    String v2 = LAMBDAS_V1.replace("\"a:\" + s", "\"A:\" + s");
    DiffResult result = Builds.diff(LAMBDAS_V1, v2);

    assertThat(result.refused()).isEmpty();
    assertThat(result.renamed()).isEmpty();
    assertThat(result.changed()).extracting(ChangedMethod::method).containsExactly("lambda$a$0");
  }

  private static final String ANONYMOUS_V1 = """
      package p;
      public class A {
        public Object c() { return new Object() { public String toString() { return "c"; } }; }
        public Object d() { return new Object() { public String toString() { return "d"; } }; }
        public String run() { return c() + "" + d(); }
      }
      """;

  @Test
  void renumberedAnonymousClassesAreMatchedByContent() throws Exception {
    String v2 = """
        package p;
        public class A {
          public Object d() { return new Object() { public String toString() { return "d"; } }; }
          public Object c() { return new Object() { public String toString() { return "c"; } }; }
          public String run() { return c() + "+" + d(); }
        }
        """;
    ClassSet old = Builds.compile(ANONYMOUS_V1, "-g");
    DiffResult result = ClassDiffer.diff(old, Builds.compile(v2, "-g"), DiffOptions.ALL);

    assertThat(result.refused()).isEmpty();
    assertThat(result.renamed()).containsExactly(
        new Renamed("p.A", "anonymous class", "p.A$1", "p.A$2"),
        new Renamed("p.A", "anonymous class", "p.A$2", "p.A$1"));
    assertThat(result.changed()).extracting(ChangedMethod::className, ChangedMethod::method)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("p.A", "run"));
    Class<?> loaded = Builds.load(old, Map.of("p.A", result.classes().get(0).newBytes())).loadClass("p.A");
    assertThat(loaded.getMethod("run").invoke(loaded.getConstructor().newInstance())).isEqualTo("c+d");
  }

  @Test
  void classesOfARenumberedNestThatAreUnchangedAreNotReported() {
    String helper = "  static class Helper { int one() { return 1; } }\n}\n";
    String v1 = ANONYMOUS_V1.substring(0, ANONYMOUS_V1.lastIndexOf('}')) + helper;
    String v2 = """
        package p;
        public class A {
          public Object d() { return new Object() { public String toString() { return "d"; } }; }
          public Object c() { return new Object() { public String toString() { return "c"; } }; }
          public String run() { return c() + "+" + d(); }
        """ + helper;
    DiffResult result = Builds.diff(v1, v2);

    assertThat(result.renamed()).hasSize(2);
    assertThat(result.changed()).extracting(ChangedMethod::className).containsExactly("p.A");
    assertThat(result.ignored()).extracting(Ignored::className).doesNotContain("p.A$Helper");
  }

  @Test
  void addedMethodIsAddedAndItsCallerGetsATrampoline() {
    String v2 = COUNTER_V1.replace("public String name()", "private int helper(int y) { return y; }\n public String name()")
        .replace("x + 1", "helper(x) + 1");
    DiffResult result = Builds.diff(COUNTER_V1, v2);

    assertThat(result.refused()).isEmpty();
    assertThat(result.changed()).containsExactly(
        new ChangedMethod("p.A", "next", "(I)I", ChangeKind.TRAMPOLINE),
        new ChangedMethod("p.A", "helper", "(I)I", ChangeKind.ADDED));
    assertThat(result.patchable()).isTrue();
  }

  @Test
  void addedLambdaIsAddedUnderAFreshNameWhenTheOthersWereRenumbered() {
    // A new lambda in a() shifts b()'s lambda from 1 to 2.
    // The new one takes the name lambda$a$0, which the old build gives to the lambda returned: it gets a fresh number.
    String v2 = LAMBDAS_V1.replace("return () -> \"a:\" + s;",
        "Runnable log = () -> System.out.println(s); log.run(); return () -> \"a:\" + s;");
    DiffResult result = Builds.diff(LAMBDAS_V1, v2);

    assertThat(result.refused()).isEmpty();
    assertThat(result.renamed()).containsExactly(
        new Renamed("p.A", "lambda", "lambda$a$0", "lambda$a$1"),
        new Renamed("p.A", "lambda", "lambda$a$3", "lambda$a$0"),
        new Renamed("p.A", "lambda", "lambda$b$1", "lambda$b$2"));
    assertThat(result.changed()).containsExactly(
        new ChangedMethod("p.A", "a", "(Ljava/lang/String;)Ljava/util/function/Supplier;", ChangeKind.TRAMPOLINE),
        new ChangedMethod("p.A", "lambda$a$3", "(Ljava/lang/String;)V", ChangeKind.ADDED));
    // The logical class keeps every old name and adds the new lambda under its fresh one.
    assertThat(Fingerprints.ofClass(result.classes().get(0).newBytes()).keySet()).contains(
        "lambda$a$0(Ljava/lang/String;)Ljava/lang/String;", "lambda$b$1(Ljava/lang/String;)Ljava/lang/String;",
        "lambda$a$3(Ljava/lang/String;)V");
  }

  @Test
  void addedClassIsDefinedBesideAnExistingClassOfItsPackage() {
    DiffResult result = Builds.diff(Map.of("p.A", COUNTER_V1),
        Map.of("p.A", COUNTER_V1.replace("return \"counter\";", "return new B().toString();"),
            "p.B", "package p; class B { public String toString() { return \"b\"; } }"));

    assertThat(result.refused()).isEmpty();
    assertThat(result.addedClasses()).singleElement().satisfies(added -> {
      assertThat(added.name()).isEqualTo("p.B");
      assertThat(added.host()).isEqualTo("p.A");
      assertThat(new ClassReader(added.bytes()).getClassName()).isEqualTo("p/B");
    });
    // Using a new class needs no trampoline: it is defined in the loader before the patch switches.
    assertThat(result.changed()).containsExactly(
        new ChangedMethod("p.A", "name", "()Ljava/lang/String;", ChangeKind.IN_PLACE));
  }

  @Test
  void addedClassInAPackageTheOldBuildLacksIsRefused() {
    DiffResult result = Builds.diff(Map.of("p.A", COUNTER_V1),
        Map.of("p.A", COUNTER_V1, "q.B", "package q; class B {}"));

    assertThat(result.refused()).singleElement().satisfies(r -> {
      assertThat(r.className()).isEqualTo("q.B");
      assertThat(r.reason()).startsWith("added class: the old build has no class in package q");
    });
  }

  @Test
  void addedFieldBecomesAShadowFieldAndRemovedFieldIsRefused() {
    String v1 = "package p; class A { int count; int f() { return count; } }";
    String v2 = "package p; class A { int depth; int f() { return depth; } }";
    DiffResult result = Builds.diff(v1, v2);

    assertThat(result.refused()).containsExactly(
        new Refusal("p.A", "field count:I", "removed field `int count`: redefinition cannot remove fields; "
            + "keep the field in the fix, unused, or restart the application with the new build"));
    assertThat(result.warnings()).extracting(Warning::member, Warning::message).containsExactly(
        org.assertj.core.groups.Tuple.tuple("field depth:I", "added field `int depth` becomes a shadow field: the "
            + "patch's code keeps its value outside the objects, weakly keyed by object identity; objects that exist "
            + "before the patch see the default value (0) until it is set; a hook can initialise it (see "
            + "docs/hooks.md)"));
    assertThat(result.changed()).containsExactly(new ChangedMethod("p.A", "f", "()I", ChangeKind.TRAMPOLINE));
    assertThat(result.patchable()).isFalse();
  }

  @Test
  void changedSignatureIsRefused() {
    String v1 = "package p; class A { int f(int x) { return x; } }";
    String v2 = "package p; class A { long f(long x) { return x; } }";
    DiffResult result = Builds.diff(v1, v2);

    assertThat(result.refused()).singleElement().satisfies(r -> {
      assertThat(r.member()).isEqualTo("method f(I)I");
      assertThat(r.reason()).startsWith("changed signature of method `int f(int)` to `long f(long)` ((I)I to (J)J)")
          .contains("restart");
    });
  }

  @Test
  void changedModifiersAreRefused() {
    String v1 = "package p; class A { int n; int f() { return n; } }";
    String v2 = "package p; class A { volatile int n; synchronized int f() { return n; } }";
    DiffResult result = Builds.diff(v1, v2);

    assertThat(result.refused()).extracting(Refusal::member, Refusal::reason).containsExactly(
        org.assertj.core.groups.Tuple.tuple("field n:I", "changed modifiers of field `int n` from `package-private` to "
            + "`volatile`: redefinition cannot change field modifiers; keep the old ones in the fix, or restart the "
            + "application with the new build"),
        org.assertj.core.groups.Tuple.tuple("method f()I", "changed modifiers of method `int f()` from "
            + "`package-private` to `synchronized`: redefinition cannot change method modifiers; keep the old ones "
            + "in the fix, or restart the application with the new build"));
  }

  @Test
  void changedHierarchyIsRefused() {
    String v1 = "package p; class A { }";
    String v2 = "package p; class A extends Thread implements java.io.Serializable { }";
    DiffResult result = Builds.diff(v1, v2);

    assertThat(result.refused()).extracting(Refusal::member).containsExactly("interfaces", "superclass");
    assertThat(result.refused().get(1).reason())
        .isEqualTo("changed superclass from java.lang.Object to java.lang.Thread: redefinition cannot change the "
            + "class hierarchy; restart the application with the new build");
  }

  @Test
  void removedNestMembersAreRefused() {
    String v1 = "package p; public class A { static class Inner { } }";
    String v2 = "package p; public class A { }";
    DiffResult result = Builds.diff(v1, v2);

    assertThat(result.refused()).extracting(Refusal::className, Refusal::member)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("p.A", "nest members"));
    assertThat(result.refused().get(0).reason()).startsWith("changed nest members (removed [p.A$Inner])");
  }

  @Test
  void nestMembersGainingAnAddedClassAreNotRefused() {
    String v1 = "package p; public class A { }";
    String v2 = "package p; public class A { static class Inner { } }";
    DiffResult result = Builds.diff(v1, v2);

    assertThat(result.refused()).isEmpty();
    assertThat(result.addedClasses()).extracting(a -> a.name() + " in " + a.host()).containsExactly("p.A$Inner in p.A");
  }

  @Test
  void changedRecordComponentsAreRefused() {
    String v1 = "package p; record A(int x) { }";
    String v2 = "package p; record A(int x, int y) { }";
    DiffResult result = Builds.diff(v1, v2);

    assertThat(result.refused()).extracting(Refusal::member).contains("record components", "method <init>(I)V");
    assertThat(result.refused()).filteredOn(r -> r.member().equals("record components")).singleElement()
        .extracting(Refusal::reason).asString().startsWith("changed record components from (int x) to (int x, int y)");
  }

  @Test
  void changedPermittedSubclassesAreRefused() {
    Map<String, String> v1 = Map.of("p.A", "package p; sealed interface A permits B { }",
        "p.B", "package p; final class B implements A { }");
    Map<String, String> v2 = Map.of("p.A", "package p; sealed interface A permits B, C { }",
        "p.B", "package p; final class B implements A { }", "p.C", "package p; final class C implements A { }");
    DiffResult result = Builds.diff(v1, v2);

    assertThat(result.refused()).extracting(Refusal::className, Refusal::member).containsExactly(
        org.assertj.core.groups.Tuple.tuple("p.A", "permitted subclasses"));
  }

  @Test
  void changedStaticInitializerIsRefused() {
    String v1 = "package p; class A { static int[] table = new int[8]; }";
    String v2 = "package p; class A { static int[] table = new int[16]; }";
    DiffResult result = Builds.diff(v1, v2);

    assertThat(result.refused()).containsExactly(new Refusal("p.A", "method <clinit>()V",
        "changed static initializer: <clinit> never runs again in a live JVM, so the change would not take effect; "
            + "do the new initialisation in a postApply hook, or restart the application with the new build"));
  }

  @Test
  void changedConstantIsWarnedAndItsUsersPatched() {
    Map<String, String> v1 = Map.of("p.Limits", "package p; class Limits { static final int MAX = 10; }",
        "p.User", "package p; class User { int max() { return Limits.MAX; } }");
    Map<String, String> v2 = Map.of("p.Limits", "package p; class Limits { static final int MAX = 20; }",
        "p.User", "package p; class User { int max() { return Limits.MAX; } }");
    DiffResult result = Builds.diff(v1, v2);

    assertThat(result.refused()).isEmpty();
    assertThat(result.changed()).containsExactly(new ChangedMethod("p.User", "max", "()I", ChangeKind.IN_PLACE));
    assertThat(result.warnings()).singleElement().satisfies(w -> {
      assertThat(w.className()).isEqualTo("p.Limits");
      assertThat(w.member()).isEqualTo("field MAX:I");
      assertThat(w.message()).startsWith("static final constant `int MAX` changed from 10 to 20: javac inlined it")
          .contains("the field keeps its old value in the running JVM");
    });
    assertThat(result.patchable()).isTrue();
  }

  @Test
  void removedMethodIsWarnedNotRefused() {
    String v1 = COUNTER_V1.replace("public String name()", "void unused() { }\n public String name()");
    String v2 = COUNTER_V1.replace("x + 1", "x + 2");
    DiffResult result = Builds.diff(v1, v2);

    assertThat(result.refused()).isEmpty();
    assertThat(result.warnings()).containsExactly(new Warning("p.A", "method unused()V", "method `void unused()` "
        + "removed in the new build: it stays in the running class, since redefinition keeps it, and code outside "
        + "the patch can still call it"));
    assertThat(result.patchable()).isTrue();
    // The splice keeps the removed method in the class switched in.
    assertThat(Fingerprints.ofClass(result.classes().get(0).newBytes())).containsKey("unused()V");
  }

  @Test
  void removedClassIsIgnored() {
    DiffResult result = Builds.diff(Map.of("p.A", COUNTER_V1, "p.B", "package p; class B {}"), Map.of("p.A", COUNTER_V1));

    assertThat(result.refused()).isEmpty();
    assertThat(result.ignored()).containsExactly(new Ignored("p.B", "", "",
        "class removed in the new build: it stays loaded in the running JVM as it is"));
  }

  @Test
  void differentMajorVersionIsRefusedAndWarned() {
    DiffResult result = ClassDiffer.diff(Builds.compile(COUNTER_V1, "--release", "11"),
        Builds.compile(COUNTER_V1, "--release", "17"), DiffOptions.ALL);

    assertThat(result.refused()).singleElement().satisfies(r -> {
      assertThat(r.member()).isEqualTo("class-file version");
      assertThat(r.reason()).startsWith("class-file major version changed from 55 (Java 11) to 61 (Java 17)");
    });
    assertThat(result.warnings()).extracting(Warning::message)
        .contains("highest class-file major version differs: 55 (Java 11) in the old build, 61 (Java 17) in the new one");
  }

  @Test
  void parametersFlagDifferenceIsWarnedAndIgnored() {
    DiffResult result = ClassDiffer.diff(Builds.compile(COUNTER_V1, "-g"),
        Builds.compile(COUNTER_V1, "-g", "-parameters"), DiffOptions.ALL);

    assertThat(result.changed()).isEmpty();
    assertThat(result.ignored()).contains(new Ignored("p.A", "next", "(I)I", "parameter names only"));
    assertThat(result.warnings()).extracting(Warning::message)
        .anyMatch(m -> m.startsWith("parameter names (-parameters) present in the new build only"));
  }

  @Test
  void manifestBuildJdkDifferenceIsWarned() {
    ClassSet old = withManifest(Builds.compile(COUNTER_V1), "Build-Jdk", "17.0.1");
    ClassSet fixed = withManifest(Builds.compile(COUNTER_V1), "Build-Jdk", "17.0.9");
    DiffResult result = ClassDiffer.diff(old, fixed, DiffOptions.ALL);

    assertThat(result.warnings()).extracting(Warning::message).containsExactly(
        "manifest Build-Jdk differs: '17.0.1' in the old build, '17.0.9' in the new one: a different compiler can "
            + "change code that the source did not");
    assertThat(result.oldBuild().buildJdk()).isEqualTo("17.0.1");
  }

  private static ClassSet withManifest(ClassSet classes, String attribute, String value) {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue(attribute, value);
    ClassSet.Builder builder = ClassSet.builder().manifest(manifest);
    classes.classes().forEach(builder::add);
    return builder.build();
  }

  @Test
  void includesAndExcludesRestrictThePatchToChosenClassesAndTheirNestedOnes() {
    Map<String, String> v1 = Map.of(
        "p.A", "package p; class A { int f() { return 1; } static class In { int g() { return 1; } } }",
        "p.B", "package p; class B { int f() { return 1; } }",
        "q.C", "package q; class C { int f() { return 1; } }");
    Map<String, String> v2 = Map.of(
        "p.A", "package p; class A { int f() { return 2; } static class In { int g() { return 2; } } }",
        "p.B", "package p; class B { int f() { return 2; } int added() { return 0; } }",
        "q.C", "package q; class C { int f() { return 2; } }");
    ClassSet old = Builds.compile(v1);
    ClassSet fixed = Builds.compile(v2);

    DiffResult onlyA = ClassDiffer.diff(old, fixed, new DiffOptions(List.of("p.A"), List.of()));
    assertThat(onlyA.changed()).extracting(ChangedMethod::className).containsExactly("p.A", "p.A$In");
    assertThat(onlyA.refused()).isEmpty();

    DiffResult allButB = ClassDiffer.diff(old, fixed, new DiffOptions(List.of("**"), List.of("p.B")));
    assertThat(allButB.changed()).extracting(ChangedMethod::className).containsExactly("p.A", "p.A$In", "q.C");

    DiffResult all = ClassDiffer.diff(old, fixed, DiffOptions.ALL);
    assertThat(all.changed()).contains(new ChangedMethod("p.B", "added", "()I", ChangeKind.ADDED));
  }

  @Test
  void equalInputsGiveEqualResults() {
    String v2 = LAMBDAS_V2_REORDERED_AND_FIXED.replace("\"b:\"", "\"B:\"");
    DiffResult first = Builds.diff(LAMBDAS_V1, v2);
    DiffResult second = Builds.diff(LAMBDAS_V1, v2);
    assertThat(first.changed()).isEqualTo(second.changed()).isNotEmpty();
    assertThat(first.ignored()).isEqualTo(second.ignored());
    assertThat(first.renamed()).isEqualTo(second.renamed());
    assertThat(first.classes().get(0).newBytes()).isEqualTo(second.classes().get(0).newBytes());
  }
}
