package org.jlivepatch.core.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.List;
import java.util.Map;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.AddedClass;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.Guard;
import org.jlivepatch.core.model.Ignored;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.model.Refusal;
import org.jlivepatch.core.model.Renamed;
import org.jlivepatch.core.model.ShadowField;
import org.jlivepatch.core.model.Warning;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldNode;

/** What trampolines, shadow fields, added classes and guards make patchable, and what stays refused. */
class TrampolineClassificationTest {

  private static final String PARSER_V1 = """
      package p;
      public class Parser {
        public int parse(String s) { return s.length(); }
        public String describe(String s) { return "parsed " + s; }
      }
      """;

  /** Adds a method, a lambda, a class, an instance field and a static field. */
  private static final String PARSER_V2 = """
      package p;
      import java.util.function.Function;
      public class Parser {
        private int depth;
        private static int calls;
        public int parse(String s) {
          calls++;
          depth = check(s);
          Function<String, Integer> measure = t -> new Limits().clamp(t.length());
          return measure.apply(s);
        }
        public String describe(String s) { return "parsed " + s; }
        private int check(String s) { return s.isEmpty() ? 0 : depth + 1; }
      }
      """;

  private static final String LIMITS = "package p; class Limits { int clamp(int n) { return Math.min(n, 100); } }";

  @Test
  void aFixAddingAMethodALambdaAClassAndTwoFieldsIsClassifiedExactly() {
    ClassSet old = Builds.compile(Map.of("p.Parser", PARSER_V1), "-g");
    ClassSet fixed = Builds.compile(Map.of("p.Parser", PARSER_V2, "p.Limits", LIMITS), "-g");
    DiffResult result = ClassDiffer.diff(old, fixed, DiffOptions.ALL);

    assertThat(result.refused()).isEmpty();
    assertThat(result.changed()).containsExactly(
        new ChangedMethod("p.Parser", "parse", "(Ljava/lang/String;)I", ChangeKind.TRAMPOLINE),
        new ChangedMethod("p.Parser", "check", "(Ljava/lang/String;)I", ChangeKind.ADDED),
        new ChangedMethod("p.Parser", "lambda$parse$0", "(Ljava/lang/String;)Ljava/lang/Integer;", ChangeKind.ADDED));
    PatchedClass parser = result.classes().get(0);
    assertThat(parser.shadowFields()).containsExactly(new ShadowField("depth", "I", false),
        new ShadowField("calls", "I", true));
    assertThat(parser.needsTrampoline()).isTrue();
    assertThat(result.addedClasses()).extracting(AddedClass::name, AddedClass::host)
        .containsExactly(tuple("p.Limits", "p.Parser"));
    assertThat(result.guards()).isEmpty();
    assertThat(result.warnings()).extracting(Warning::member)
        .containsExactly("field calls:I", "field depth:I");
    assertThat(result.warnings().get(0).message()).startsWith("added static field `int calls` becomes a shadow field")
        .doesNotContain("<clinit>");

    // Fingerprints: an added method expects nothing; the new ones are those of the logical class.
    Map<String, String> logical = Fingerprints.ofClass(parser.newBytes());
    for (PatchedMethod method : parser.methods()) {
      assertThat(method.newFingerprint()).isEqualTo(logical.get(method.key()));
      assertThat(method.expectedFingerprint()).isEqualTo(method.kind() == ChangeKind.ADDED ? ""
          : Fingerprints.ofClass(old.classes().get("p.Parser")).get(method.key()));
    }
    // The logical class: the base, parse spliced, the added members appended, describe untouched.
    ClassNode node = new ClassNode();
    new ClassReader(parser.newBytes()).accept(node, 0);
    assertThat(node.fields).extracting(f -> f.name).containsExactly("depth", "calls");
    assertThat(node.methods).extracting(m -> m.name)
        .containsExactly("<init>", "parse", "describe", "check", "lambda$parse$0");
    assertThat(logical.get("describe(Ljava/lang/String;)Ljava/lang/String;"))
        .isEqualTo(Fingerprints.ofClass(old.classes().get("p.Parser")).get("describe(Ljava/lang/String;)Ljava/lang/String;"));

    var patch = result.toPatch("fix-1", "", java.util.Optional.empty(), List.of());
    assertThat(patch.addedClasses()).hasSize(1);
    assertThat(patch.needsTrampolines()).isTrue();
  }

  @Test
  void aStaticFieldWithAnInitializerWarnsThatTheStaticInitializerDoesNotRerun() {
    DiffResult result = Builds.diff("package p; class A { static int f() { return 1; } }",
        "package p; class A { static final Object LOCK = new Object(); static int f() { synchronized (LOCK) { return 2; } } }");

    assertThat(result.refused()).isEmpty();
    assertThat(result.changed()).containsExactly(new ChangedMethod("p.A", "f", "()I", ChangeKind.TRAMPOLINE));
    assertThat(result.warnings()).singleElement().satisfies(w -> {
      assertThat(w.member()).isEqualTo("field LOCK:Ljava/lang/Object;");
      assertThat(w.message()).startsWith("added static field `java.lang.Object LOCK` becomes a shadow field")
          .contains("Its initializer in <clinit> does not run: <clinit> ran when the class was loaded and does not "
              + "re-run, so the field stays null until the patch's code or a postApply hook sets it");
    });
    assertThat(result.ignored()).contains(new Ignored("p.A", "<clinit>", "()V", "added only to initialise the added "
        + "static field LOCK:Ljava/lang/Object;: the static initializer ran when the class was loaded and does not run "
        + "again; the field starts at its default value (see its warning)"));
  }

  @Test
  void aStaticInitializerThatChangesMoreThanNewFieldsIsStillRefused() {
    DiffResult result = Builds.diff("package p; class A { static int[] t = new int[8]; }",
        "package p; class A { static int[] t = new int[16]; static Object lock = new Object(); }");

    assertThat(result.refused()).extracting(Refusal::member, Refusal::reason).containsExactly(tuple(
        "method <clinit>()V", "changed static initializer: <clinit> never runs again in a live JVM, so the change "
            + "would not take effect; do the new initialisation in a postApply hook, or restart the application with "
            + "the new build"));
  }

  @Test
  void aConstructorUsingAnAddedFieldIsRefusedWithTheWayOut() {
    DiffResult result = Builds.diff("package p; class A { int f() { return 1; } }",
        "package p; class A { int depth = 3; int f() { return depth; } }");

    assertThat(result.refused()).containsExactly(new Refusal("p.A", "method <init>()V", "constructor `constructor()` "
        + "uses what the fix adds (field p.A.depth:I): a constructor cannot move into the patch's hidden class (it must "
        + "run in its own class, and redefinition cannot add members to that); move the new code out of the "
        + "constructor into a method (e.g. set the field where it is first used; until then objects see its default "
        + "value), or restart the application with the new build"));
  }

  @Test
  void aConstructorCreatingANewLambdaIsRefused() {
    DiffResult result = Builds.diff("package p; class A { Runnable r; A() { r = null; } }",
        "package p; class A { Runnable r; A() { r = () -> System.out.println(); } }");

    assertThat(result.refused()).singleElement().satisfies(r -> {
      assertThat(r.member()).isEqualTo("method <init>()V");
      assertThat(r.reason()).startsWith("constructor `constructor()` uses what the fix adds (lambda body "
          + "p.A.lambda$new$0()V)");
    });
  }

  @Test
  void aMovedBodyCreatingASerializableLambdaIsRefusedWithTheWayOut() {
    DiffResult result = Builds.diff("package p; class A { String s() { return \"a\"; } }",
        "package p; class A { String s() { java.util.function.Supplier<String> f = "
            + "(java.util.function.Supplier<String> & java.io.Serializable) () -> \"b\"; return f.get(); } }");

    assertThat(result.refused()).singleElement().satisfies(r -> {
      assertThat(r.member()).isEqualTo("method s()Ljava/lang/String;");
      assertThat(r.reason()).contains("cannot move into the patch's hidden class: it creates a serializable lambda "
          + "(java.util.function.Supplier)", "use a named class implementing the interface instead");
    });
  }

  @Test
  void aBodyWithASuperCallOrAProtectedMemberOfAnotherPackageIsATrampoline() {
    // The hidden class makes the super call and reaches the protected members through p.A.
    DiffResult result = Builds.diff(
        Map.of("q.B", B, "p.A", "package p; public class A extends q.B { public String toString() { return super.toString(); } }"),
        Map.of("q.B", B, "p.A", "package p; public class A extends q.B { public String toString() { "
            + "count++; return super.toString() + tag() + count + helper(); } "
            + "private String helper() { return super.tag() + \"!\"; } }"));

    assertThat(result.refused()).isEmpty();
    assertThat(result.changed()).extracting(c -> c.method() + c.descriptor() + ":" + c.kind())
        .containsExactlyInAnyOrder("toString()Ljava/lang/String;:" + ChangeKind.TRAMPOLINE,
            "helper()Ljava/lang/String;:" + ChangeKind.ADDED);
  }

  private static final String B = "package q; public class B { protected int count; protected String tag() { return \"t\"; } }";

  @Test
  void aMethodHandleOnlyItsClassMayResolveKeepsABodyOutOfTheHiddenClass() {
    // javac turns such method references into lambdas; other compilers may not. "MARK" becomes the handle.
    String oldA = "package p; public class A extends q.B { public Object get() { return \"\"; } }";
    String newA = "package p; public class A extends q.B { public Object get() { Object h = \"MARK\"; return h + helper(); }"
        + " private String helper() { return \"!\"; } }";
    ClassSet old = Builds.compile(Map.of("q.B", B, "p.A", oldA), "-g");
    ClassSet compiled = Builds.compile(Map.of("q.B", B, "p.A", newA), "-g");

    DiffResult special = ClassDiffer.diff(old, withHandle(compiled,
        new Handle(Opcodes.H_INVOKESPECIAL, "q/B", "tag", "()Ljava/lang/String;", false)), DiffOptions.ALL);
    assertThat(special.refused()).singleElement().satisfies(r -> {
      assertThat(r.member()).isEqualTo("method get()Ljava/lang/Object;");
      assertThat(r.reason()).isEqualTo("method `java.lang.Object get()` needs a trampoline, since it uses what the "
          + "fix adds (method p.A.helper()Ljava/lang/String;), but cannot move into the patch's hidden class: it "
          + "takes a method handle on q.B.tag()Ljava/lang/String; (a super call), which the JVM resolves with the "
          + "access of the class holding the code, and only code of p.A itself may use; write a lambda that makes "
          + "the call instead of the method reference, or restart the application with the new build");
    });

    DiffResult inherited = ClassDiffer.diff(old, withHandle(compiled,
        new Handle(Opcodes.H_INVOKEVIRTUAL, "p/A", "tag", "()Ljava/lang/String;", false)), DiffOptions.ALL);
    assertThat(inherited.refused()).singleElement().satisfies(r -> assertThat(r.reason()).contains(
        "it takes a method handle on p.A.tag()Ljava/lang/String; (protected in q.B, another package)"));

    DiffResult field = ClassDiffer.diff(old, withHandle(compiled,
        new Handle(Opcodes.H_GETFIELD, "p/A", "count", "I", false)), DiffOptions.ALL);
    assertThat(field.refused()).singleElement().satisfies(r -> assertThat(r.reason()).contains(
        "it takes a method handle on p.A.count:I (protected in q.B, another package)"));

    // A public method's handle is anyone's to resolve.
    DiffResult open = ClassDiffer.diff(old, withHandle(compiled,
        new Handle(Opcodes.H_INVOKEVIRTUAL, "java/lang/String", "length", "()I", false)), DiffOptions.ALL);
    assertThat(open.refused()).isEmpty();
  }

  /** p.A of {@code build} with its {@code ldc "MARK"} loading {@code handle} instead. */
  private static ClassSet withHandle(ClassSet build, Handle handle) {
    ClassNode node = new ClassNode();
    new ClassReader(build.classes().get("p.A")).accept(node, 0);
    node.methods.forEach(m -> m.instructions.forEach(insn -> {
      if (insn instanceof org.objectweb.asm.tree.LdcInsnNode ldc && "MARK".equals(ldc.cst)) {
        ldc.cst = handle;
      }
    }));
    org.objectweb.asm.ClassWriter writer = new org.objectweb.asm.ClassWriter(0);
    node.accept(writer);
    ClassSet.Builder builder = ClassSet.builder();
    build.classes().forEach((name, bytes) -> builder.add(name, name.equals("p.A") ? writer.toByteArray() : bytes));
    return builder.build();
  }

  @Test
  void aBodyWithASuperCallAndNothingAddedStaysInPlace() {
    DiffResult result = Builds.diff("package p; class A { public String toString() { return super.toString(); } }",
        "package p; class A { public String toString() { return super.toString() + \"!\"; } }");

    assertThat(result.refused()).isEmpty();
    assertThat(result.changed()).extracting(ChangedMethod::kind).containsExactly(ChangeKind.IN_PLACE);
  }

  @Test
  void callingAMethodTheFixAddsToAnotherClassIsRefused() {
    DiffResult result = Builds.diff(
        Map.of("p.A", "package p; class A { }", "p.B", "package p; class B { int f() { return 1; } }"),
        Map.of("p.A", "package p; class A { static int helper() { return 2; } }",
            "p.B", "package p; class B { int f() { return A.helper(); } }"));

    assertThat(result.refused()).singleElement().satisfies(r -> {
      assertThat(r.className()).isEqualTo("p.B");
      assertThat(r.reason()).startsWith("`int f()` calls p.A.helper()I, which the fix adds to another class");
    });
  }

  @Test
  void anAddedMethodThatWouldOverrideIsRefused() {
    DiffResult result = Builds.diff("package p; class A { }",
        "package p; class A { public String toString() { return \"a\"; } }");

    assertThat(result.refused()).singleElement().satisfies(r -> {
      assertThat(r.member()).isEqualTo("method toString()Ljava/lang/String;");
      assertThat(r.reason()).startsWith("added method `java.lang.String toString()` overrides "
          + "java.lang.Object.toString()Ljava/lang/String;: an added method lives only in the patch's hidden class");
    });
  }

  @Test
  void anAddedConstructorIsRefused() {
    DiffResult result = Builds.diff("package p; class A { A() { } }", "package p; class A { A() { } A(int x) { } }");

    assertThat(result.refused()).extracting(Refusal::member).containsExactly("method <init>(I)V");
    assertThat(result.refused().get(0).reason()).startsWith("added constructor `constructor(int)`");
  }

  @Test
  void anAddedClassUsingAPrivateMemberOfItsRunningNestIsRefused() {
    DiffResult result = Builds.diff("package p; class A { private int secret; }",
        "package p; class A { private int secret; static class Peek { int get(A a) { return a.secret; } } }");

    assertThat(result.refused()).singleElement().satisfies(r -> {
      assertThat(r.className()).isEqualTo("p.A$Peek");
      assertThat(r.reason()).startsWith("added class uses private field p.A.secret:I: it cannot join the running nest");
    });
  }

  @Test
  void anAddedClassUsingWhatTheFixAddsElsewhereIsRefused() {
    DiffResult result = Builds.diff("package p; class A { static int f() { return 1; } }",
        "package p; class A { static int count; static int f() { return new B().g(); } } "
            + "class B { int g() { return A.count; } }");

    assertThat(result.refused()).singleElement().satisfies(r -> {
      assertThat(r.className()).isEqualTo("p.B");
      assertThat(r.reason()).startsWith("added class uses what the fix adds to existing classes (field p.A.count:I)");
    });
  }

  @Test
  void aPrivateNestedClassTheFixAddsIsOpenedAndRunsBesideTheRunningClass() throws Exception {
    String v1 = "package p; public class A { public String name() { return \"a\"; } }";
    String v2 = "package p; public class A { public String name() { return new Helper().name(); } "
        + "private static class Helper { private String name() { return \"helper\"; } } }";
    ClassSet old = Builds.compile(v1, "-g");
    DiffResult result = ClassDiffer.diff(old, Builds.compile(v2, "-g"), DiffOptions.ALL);

    assertThat(result.refused()).isEmpty();
    assertThat(result.changed()).containsExactly(new ChangedMethod("p.A", "name", "()Ljava/lang/String;",
        ChangeKind.IN_PLACE));
    AddedClass helper = result.addedClasses().get(0);
    ClassNode node = new ClassNode();
    new ClassReader(helper.bytes()).accept(node, 0);
    assertThat(node.nestHostClass).isNull();
    assertThat(node.methods).allSatisfy(m -> assertThat(m.access & Opcodes.ACC_PRIVATE).isZero());
    // The running class keeps its nest; the patched body still reaches the helper.
    Class<?> a = Builds.load(old, Map.of("p.A", result.classes().get(0).newBytes(), "p.A$Helper", helper.bytes()))
        .loadClass("p.A");
    assertThat(a.getMethod("name").invoke(a.getConstructor().newInstance())).isEqualTo("helper");
  }

  @Test
  void anAddedAnonymousClassTakesAFreshNumberWhenItsNameIsTaken() {
    String v1 = "package p; class A { Runnable r() { return new Runnable() { public void run() { } }; } }";
    String v2 = "package p; class A { Object o() { return new Object() { }; } "
        + "Runnable r() { o(); return new Runnable() { public void run() { } }; } }";
    DiffResult result = Builds.diff(v1, v2);

    assertThat(result.renamed()).contains(new Renamed("p.A", "anonymous class", "p.A$1", "p.A$2"),
        new Renamed("p.A", "anonymous class", "p.A$3", "p.A$1"));
    assertThat(result.addedClasses()).extracting(AddedClass::name).containsExactly("p.A$3");
    assertThat(new ClassReader(result.addedClasses().get(0).bytes()).getClassName()).isEqualTo("p/A$3");
  }

  private static final Map<String, String> CODEC_V1 = Map.of(
      "p.Codec", "package p; public class Codec { public static String encode(String s) { return s; } "
          + "public static String decode(String s) { return s; } }",
      "p.Client", "package p; class Client { static String roundTrip(String s) { return Codec.decode(Codec.encode(s)); } "
          + "static String once(String s) { return Codec.encode(s) + Codec.encode(s); } }");

  private static final Map<String, String> CODEC_V2 = Map.of(
      "p.Codec", "package p; public class Codec { public static String encode(String s) { return \"[\" + s; } "
          + "public static String decode(String s) { return s.substring(1); } }",
      "p.Client", CODEC_V1.get("p.Client"));

  @Test
  void aCallerOfTwoPatchedMethodsOutsideThePatchBecomesAGuard() {
    DiffResult result = Builds.diff(CODEC_V1, CODEC_V2);

    assertThat(result.guards()).containsExactly(new Guard("p.Client", "roundTrip",
        "(Ljava/lang/String;)Ljava/lang/String;", "calls p.Codec.encode(Ljava/lang/String;)Ljava/lang/String; and "
            + "p.Codec.decode(Ljava/lang/String;)Ljava/lang/String;"));
    assertThat(result.toPatch("codec", "", java.util.Optional.empty(), List.of()).guards())
        .isEqualTo(result.guards());
  }

  @Test
  void namedGuardsAreAddedAndUnknownOnesRefused() {
    ClassSet old = Builds.compile(CODEC_V1, "-g");
    ClassSet fixed = Builds.compile(CODEC_V2, "-g");
    DiffResult result = ClassDiffer.diff(old, fixed, DiffOptions.ALL.withGuards(List.of("p.Client#once",
        "p.Client#roundTrip(Ljava/lang/String;)Ljava/lang/String;")));

    assertThat(result.guards()).extracting(Guard::method, Guard::reason).containsExactly(
        tuple("once", "named by the patch author"),
        tuple("roundTrip", "calls p.Codec.encode(Ljava/lang/String;)Ljava/lang/String; and "
            + "p.Codec.decode(Ljava/lang/String;)Ljava/lang/String;; named by the patch author"));

    DiffResult unknown = ClassDiffer.diff(old, fixed, DiffOptions.ALL.withGuards(List.of("p.Client#nothing")));
    assertThat(unknown.refused()).containsExactly(new Refusal("p.Client", "guard p.Client#nothing",
        "named guard: class p.Client of the old build has no method nothing; name one it has"));
    assertThatThrownBy(() -> DiffOptions.ALL.withGuards(List.of("p.Client.once")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("guard 'p.Client.once' is not CLASS#METHOD");
  }

  @Test
  void theAddedFieldsOfTheLogicalClassKeepTheirModifiers() {
    DiffResult result = Builds.diff("package p; class A { int f() { return 1; } }",
        "package p; class A { private volatile int seen; int f() { return seen++; } }");
    ClassNode node = new ClassNode();
    new ClassReader(result.classes().get(0).newBytes()).accept(node, 0);
    FieldNode seen = node.fields.get(0);
    assertThat(seen.access).isEqualTo(Opcodes.ACC_PRIVATE | Opcodes.ACC_VOLATILE);
  }
}
