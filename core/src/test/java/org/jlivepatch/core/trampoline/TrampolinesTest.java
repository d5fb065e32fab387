package org.jlivepatch.core.trampoline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jlivepatch.core.model.ShadowField;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;

class TrampolinesTest {

  static final String PREFIX = "g7";
  static final Set<String> CALC_SHADOWS = Set.of("fx/Calc.hits:I", "fx/Calc.total:J");
  static final Class<?>[] NONE = {};
  static final Class<?>[] INT = {int.class};
  static final Class<?>[] STRING = {String.class};
  static final Class<?>[] MIX = {long.class, double.class, int.class};

  @Test
  void namesFollowTheContract() {
    assertThat(Trampolines.bridgeName("p/q")).isEqualTo("p/q/$jlivepatch$Bridge");
    assertThat(Trampolines.bridgeName("")).isEqualTo("$jlivepatch$Bridge");
    assertThat(Trampolines.hiddenName("p/q/C")).isEqualTo("p/q/C$$Jlp");
    assertThat(Trampolines.redirectKey("7", "m", "(Lp/C;I)V")).isEqualTo("7|redirect|m|(Lp/C;I)V");
    assertThat(Trampolines.gateKey("7", "m", "(I)V")).isEqualTo("7|gate|m(I)V");
    assertThat(Trampolines.shadowKey("7", false, "p/C", "f", "J")).isEqualTo("7|shadow-get|p/C|f|J");
    assertThat(Trampolines.shadowKey("7", true, "p/C", "f", "J")).isEqualTo("7|shadow-put|p/C|f|J");
  }

  @Test
  void bridgeIsAPackagePrivateFinalSyntheticJava11Class() {
    ClassNode node = new ClassNode();
    new ClassReader(Trampolines.bridge("p/q")).accept(node, 0);
    assertThat(node.name).isEqualTo("p/q/$jlivepatch$Bridge");
    assertThat(node.version).isEqualTo(Opcodes.V11);
    assertThat(node.access & (Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SYNTHETIC))
        .isEqualTo(Opcodes.ACC_FINAL | Opcodes.ACC_SYNTHETIC);
    assertThat(node.fields).extracting(f -> f.name).containsExactly("linker", "lambdaLinker");
    assertThat(node.fields).allSatisfy(f -> {
      assertThat(f.desc).isEqualTo("Ljava/lang/invoke/MethodHandle;");
      assertThat(f.access & (Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC)).isEqualTo(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC);
    });
    assertThat(node.methods).extracting(m -> m.name + m.desc).containsExactly(
        "lookup()Ljava/lang/invoke/MethodHandles$Lookup;", "link" + Trampolines.LINK_DESCRIPTOR,
        "lambda" + Trampolines.LAMBDA_DESCRIPTOR);
    // Varargs: the JVM passes javac's LambdaMetafactory arguments, however many, as the array.
    assertThat(node.methods.get(2).access & Opcodes.ACC_VARARGS).isEqualTo(Opcodes.ACC_VARARGS);
    ClassNode defaultPackage = new ClassNode();
    new ClassReader(Trampolines.bridge("")).accept(defaultPackage, 0);
    assertThat(defaultPackage.name).isEqualTo("$jlivepatch$Bridge");
  }

  @Test
  void compareFindsChangedAddedMethodsAndShadowFields() {
    ClassChange change = calcChange();
    assertThat(change.className()).isEqualTo("fx/Calc");
    assertThat(change.changed()).containsExactly("mixed()Ljava/lang/String;", "scale(I)I",
        "label(I)Ljava/lang/String;", "withHelper(I)I", "version()Ljava/lang/String;",
        "viaLambda(Ljava/lang/String;)Ljava/lang/String;", "mix(JDI)D", "smix(JDI)D", "bump()I", "hit()I",
        "total()J");
    // javac numbers lambdas per class up to JDK 21 or so, per method after.
    assertThat(change.added()).hasSize(7).contains("addBase(I)I", "tag()Ljava/lang/String;", "weigh(JD)D",
        "addCount(I)I");
    assertThat(change.added()).filteredOn(key -> key.startsWith("lambda$viaLambda$")).hasSize(3)
        .allMatch(key -> key.endsWith("(Ljava/lang/String;)Ljava/lang/String;"));
    assertThat(change.shadowFields()).containsExactly(new ShadowField("hits", "I", false),
        new ShadowField("total", "J", true));
    assertThat(Trampolines.compare(calc(1), calc(1)).isEmpty()).isTrue();
  }

  @Test
  void needsRedirectNamesBodiesReferringToAddedMethodsLambdasAndShadowFields() {
    assertThat(Trampolines.needsRedirect(calc(2), calcChange(), CALC_SHADOWS)).containsExactly(
        "mixed()Ljava/lang/String;", "label(I)Ljava/lang/String;", "withHelper(I)I", "version()Ljava/lang/String;",
        "viaLambda(Ljava/lang/String;)Ljava/lang/String;", "mix(JDI)D", "smix(JDI)D", "bump()I", "hit()I",
        "total()J");
    // Without the patch's shadow fields, hit and total would look splicable.
    assertThat(Trampolines.needsRedirect(calc(2), calcChange(), Set.of())).doesNotContain("hit()I", "total()J");
  }

  @Test
  void steadyFormRunsTheNewCode() throws Throwable {
    Target target = steadyCalc(Fixtures.v1(), Fixtures.v2());
    Object calc = target.newInstance(INT, 5);
    // In place.
    assertThat(target.call(calc, "scale", INT, 4)).isEqualTo(12);
    // Trampoline: an added static method, a private field, a private method, a private static field.
    assertThat(target.call(calc, "label", INT, 4)).isEqualTo("v2:5:8:1");
    assertThat(target.call(null, "version", NONE)).isEqualTo("v2/1");
    // An added instance helper.
    assertThat(target.call(calc, "withHelper", INT, 4)).isEqualTo(10);
    // New lambdas: non-capturing, capturing a local, capturing this; and an old this-capturing one.
    assertThat(target.call(calc, "viaLambda", STRING, "ab")).isEqualTo("ab!ab2ab5");
    assertThat(target.call(calc, "mixed", NONE)).isEqualTo("m5v2");
    // long and double parameters, instance and static.
    assertThat(target.call(calc, "mix", MIX, 3L, 0.5d, 7)).isEqualTo(3 * 0.5 + 7 + 5);
    assertThat(target.call(null, "smix", MIX, 3L, 0.5d, 7)).isEqualTo(3 * 0.5 - 7);
    // The monitor is held by C's entry while the body runs in H.
    assertThat(target.call(calc, "bump", NONE)).isEqualTo(1);
    assertThat(target.call(calc, "bump", NONE)).isEqualTo(2);
    assertThat(target.call(calc, "unchanged", NONE)).isEqualTo("same");
  }

  @Test
  void shadowFieldsStartAtTheirDefaultAndAreKeptPerObject() throws Throwable {
    Target target = steadyCalc(Fixtures.v1(), Fixtures.v2());
    Object first = target.newInstance(INT, 1);
    Object second = target.newInstance(INT, 2);
    assertThat(target.call(null, "total", NONE)).isEqualTo(0L);
    assertThat(target.call(first, "hit", NONE)).isEqualTo(1);
    assertThat(target.call(first, "hit", NONE)).isEqualTo(2);
    assertThat(target.call(second, "hit", NONE)).isEqualTo(1);
    assertThat(target.call(null, "total", NONE)).isEqualTo(3L);
    assertThat(target.linked).contains(PREFIX + "|shadow-get|fx/Calc|hits|I", PREFIX + "|shadow-put|fx/Calc|hits|I",
        PREFIX + "|shadow-get|fx/Calc|total|J", PREFIX + "|shadow-put|fx/Calc|total|J");
  }

  @Test
  void steadyFormAddsNothingToTheClass() throws Exception {
    ClassChange change = calcChange();
    Set<String> redirected = Trampolines.needsRedirect(calc(2), change, CALC_SHADOWS);
    HiddenClass h = Trampolines.hidden(calc(2), change, redirected, CALC_SHADOWS, PREFIX);
    byte[] steady = Trampolines.steady(calc(1), calc(2), change, redirected, h, PREFIX);
    ClassNode before = node(calc(1));
    ClassNode after = node(steady);
    assertThat(after.methods).extracting(m -> m.name + m.desc)
        .containsExactlyElementsOf(before.methods.stream().map(m -> m.name + m.desc).toList());
    assertThat(after.fields).extracting(f -> f.name).containsExactlyElementsOf(
        before.fields.stream().map(f -> f.name).toList());
    // The in-place method is exactly the new one; the others are the old ones.
    assertThat(Trampolines.compare(calc(2), steady).changed()).containsExactlyElementsOf(redirected);
    // A body naming an added method cannot be spliced.
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> Trampolines.steady(calc(1), calc(2), change, Set.of(), null, PREFIX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("method fx/Calc.mixed()Ljava/lang/String; refers to a method the patch adds: it must be "
            + "redirected, not spliced");
  }

  @Test
  void namingFindsEveryUseOfAClassTheJvmMayResolveOrLoad() {
    String x = "package fx; public class X extends RuntimeException { public static int n; public static int m() { return 1; } }";
    String user = String.join("\n",
        "package fx;",
        "import java.util.function.Supplier;",
        "public class User {",
        "  Object made() { return new X(); }",
        "  int caught() { try { return 1; } catch (X e) { return 2; } }",
        "  int called() { return X.m(); }",
        "  int field() { return X.n; }",
        "  Object array() { return new X[1][2]; }",
        "  Object type() { return X.class; }",
        "  Object ref() { Supplier<Integer> s = X::m; return s; }",
        "  Object cast(Object o) { return (RuntimeException) o; }",
        "  Object none() { return \"x\"; }",
        "}");
    byte[] bytes = org.jlivepatch.core.testing.InMemoryCompiler.compile(Map.of("fx.X", x, "fx.User", user))
        .get("fx.User");
    List<String> all = keys(node(bytes));
    assertThat(Trampolines.naming(bytes, all, List.of("fx/X"))).containsExactly("made()Ljava/lang/Object;",
        "caught()I", "called()I", "field()I", "array()Ljava/lang/Object;", "type()Ljava/lang/Object;",
        "ref()Ljava/lang/Object;");
    assertThat(Trampolines.naming(bytes, List.of("none()Ljava/lang/Object;", "called()I"), List.of("fx/X")))
        .containsExactly("called()I");
    assertThat(Trampolines.naming(bytes, all, List.of())).isEmpty();
    assertThat(Trampolines.naming(bytes, all, List.of("fx/Y"))).isEmpty();
  }

  // -----------------------------------------------------------------------------------------------

  static byte[] calc(int version) {
    return (version == 1 ? Fixtures.v1() : Fixtures.v2()).get("fx.Calc");
  }

  static ClassChange calcChange() {
    return Trampolines.compare(calc(1), calc(2));
  }

  static ClassNode node(byte[] bytes) {
    ClassNode node = new ClassNode();
    new ClassReader(bytes).accept(node, 0);
    return node;
  }

  static Target steadyCalc(Map<String, byte[]> v1, Map<String, byte[]> v2) throws Throwable {
    byte[] from = v1.get("fx.Calc");
    byte[] to = v2.get("fx.Calc");
    ClassChange change = Trampolines.compare(from, to);
    Set<String> redirected = Trampolines.needsRedirect(to, change, CALC_SHADOWS);
    HiddenClass h = Trampolines.hidden(to, change, redirected, CALC_SHADOWS, PREFIX);
    byte[] steady = Trampolines.steady(from, to, change, redirected, h, PREFIX);
    return new Target(v1, "fx.Calc", steady, h, PREFIX);
  }

  static List<String> keys(ClassNode node) {
    return node.methods.stream().map(m -> m.name + m.desc).toList();
  }
}
