package org.jlivepatch.core.trampoline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jlivepatch.core.trampoline.TrampolinesTest.CALC_SHADOWS;
import static org.jlivepatch.core.trampoline.TrampolinesTest.INT;
import static org.jlivepatch.core.trampoline.TrampolinesTest.MIX;
import static org.jlivepatch.core.trampoline.TrampolinesTest.NONE;
import static org.jlivepatch.core.trampoline.TrampolinesTest.PREFIX;
import static org.jlivepatch.core.trampoline.TrampolinesTest.STRING;
import static org.jlivepatch.core.trampoline.TrampolinesTest.calc;
import static org.jlivepatch.core.trampoline.TrampolinesTest.calcChange;
import static org.jlivepatch.core.trampoline.TrampolinesTest.node;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/** The gated form, interfaces, H's shape, the logical class and what cannot be moved. */
class TrampolineFormsTest {

  @Test
  void gatedFormRunsTheOldBodyOrTheNewOnePerGate() throws Throwable {
    ClassChange change = calcChange();
    HiddenClass h = Trampolines.hidden(calc(2), change, change.changed(), CALC_SHADOWS, PREFIX);
    byte[] gated = Trampolines.gated(calc(1), change.changed(), h, PREFIX);
    assertThat(Trampolines.compare(calc(1), gated).changed()).containsExactlyElementsOf(change.changed());
    assertThat(Trampolines.compare(calc(1), gated).added()).isEmpty();
    Target target = new Target(Fixtures.v1(), "fx.Calc", gated, h, PREFIX);
    Object calc = target.newInstance(INT, 5);

    target.gates(false);
    assertThat(target.call(calc, "scale", INT, 4)).isEqualTo(8);
    assertThat(target.call(calc, "label", INT, 4)).isEqualTo("v1:4");
    assertThat(target.call(calc, "viaLambda", STRING, "ab")).isEqualTo("ab");
    assertThat(target.call(calc, "mix", MIX, 3L, 0.5d, 7)).isEqualTo(3 + 0.5 + 7);
    assertThat(target.call(null, "smix", MIX, 3L, 0.5d, 7)).isEqualTo(3 + 0.5 + 7);
    assertThat(target.call(calc, "bump", NONE)).isEqualTo(-2);
    assertThat(target.call(calc, "hit", NONE)).isEqualTo(0);

    target.gates(true);
    assertThat(target.call(calc, "scale", INT, 4)).isEqualTo(12);
    assertThat(target.call(calc, "label", INT, 4)).isEqualTo("v2:5:8:1");
    assertThat(target.call(calc, "viaLambda", STRING, "ab")).isEqualTo("ab!ab2ab5");
    assertThat(target.call(calc, "mixed", NONE)).isEqualTo("m5v2");
    assertThat(target.call(calc, "mix", MIX, 3L, 0.5d, 7)).isEqualTo(3 * 0.5 + 7 + 5);
    assertThat(target.call(null, "smix", MIX, 3L, 0.5d, 7)).isEqualTo(3 * 0.5 - 7);
    assertThat(target.call(calc, "bump", NONE)).isEqualTo(1);
    assertThat(target.call(calc, "hit", NONE)).isEqualTo(1);
    assertThat(target.call(null, "total", NONE)).isEqualTo(1L);

    // One gate at a time: back to the old scale, label stays new.
    target.gate("scale(I)I", false);
    assertThat(target.call(calc, "scale", INT, 4)).isEqualTo(8);
    assertThat(target.call(calc, "label", INT, 4)).isEqualTo("v2:5:8:1");
    assertThat(target.linked).contains(PREFIX + "|gate|scale(I)I", PREFIX + "|gate|smix(JDI)D");
  }

  @Test
  void gatedFormKeepsAnEntryFrameOfTheOriginal() throws Throwable {
    // A loop at offset 0 has a frame there already; the gate must not add a second one.
    String v1 = "package fx; public class Loop { public static int run(int n) { while (n > 10) { n -= 10; } return n; } }";
    String v2 = "package fx; public class Loop { public static int run(int n) { while (n > 10) { n -= 7; } return n; } }";
    byte[] from = org.jlivepatch.core.testing.InMemoryCompiler.compile(Map.of("fx.Loop", v1)).get("fx.Loop");
    byte[] to = org.jlivepatch.core.testing.InMemoryCompiler.compile(Map.of("fx.Loop", v2)).get("fx.Loop");
    ClassChange change = Trampolines.compare(from, to);
    HiddenClass h = Trampolines.hidden(to, change, change.changed(), Set.of(), PREFIX);
    Target target = new Target(Map.of(), "fx.Loop", Trampolines.gated(from, change.changed(), h, PREFIX), h, PREFIX);
    target.gates(false);
    assertThat(target.call(null, "run", INT, 25)).isEqualTo(5);
    target.gates(true);
    assertThat(target.call(null, "run", INT, 25)).isEqualTo(4);
  }

  @Test
  void framesOfTheHiddenClassAreHiddenFromStackTraces() throws Throwable {
    // What the agent's stack walks see: C's entry, not the body running in H (nor H's added methods).
    String v1 = "package fx; public class Where { public String where() { return \"v1\"; } }";
    String v2 = String.join("\n",
        "package fx; public class Where {",
        "  public String where() { return frames(); }",
        "  private static String frames() {",
        "    StringBuilder b = new StringBuilder();",
        "    for (StackTraceElement e : new Throwable().getStackTrace()) {",
        "      if (e.getClassName().startsWith(\"fx.\")) { b.append(e.getClassName()).append('.').append(e.getMethodName()).append(' '); }",
        "    }",
        "    return b.toString().trim();",
        "  }",
        "}");
    byte[] from = org.jlivepatch.core.testing.InMemoryCompiler.compile(Map.of("fx.Where", v1)).get("fx.Where");
    byte[] to = org.jlivepatch.core.testing.InMemoryCompiler.compile(Map.of("fx.Where", v2)).get("fx.Where");
    ClassChange change = Trampolines.compare(from, to);
    Set<String> redirected = Trampolines.needsRedirect(to, change, Set.of());
    HiddenClass h = Trampolines.hidden(to, change, redirected, Set.of(), PREFIX);
    Target target = new Target(Map.of(), "fx.Where", Trampolines.steady(from, to, change, redirected, h, PREFIX), h,
        PREFIX);
    assertThat(target.call(target.newInstance(new Class<?>[0]), "where", NONE)).isEqualTo("fx.Where.where");
  }

  @Test
  void interfaceDefaultMethodReachesAddedAndPrivateInterfaceMethods() throws Throwable {
    byte[] from = Fixtures.v1().get("fx.Greeter");
    byte[] to = Fixtures.v2().get("fx.Greeter");
    ClassChange change = Trampolines.compare(from, to);
    assertThat(change.changed()).containsExactly("greet(Ljava/lang/String;)Ljava/lang/String;");
    assertThat(change.added()).containsExactly("decorate(Ljava/lang/String;)Ljava/lang/String;");
    Set<String> redirected = Trampolines.needsRedirect(to, change, Set.of());
    assertThat(redirected).containsExactlyElementsOf(change.changed());
    HiddenClass h = Trampolines.hidden(to, change, redirected, Set.of(), PREFIX);

    Target steady = new Target(Fixtures.v1(), "fx.Greeter",
        Trampolines.steady(from, to, change, redirected, h, PREFIX), h, PREFIX);
    Object person = steady.load("fx.Person").getConstructor().newInstance();
    assertThat(steady.call(steady.type, person, "greet", STRING, "bo")).isEqualTo("[hello bo].P");

    Target gated = new Target(Fixtures.v1(), "fx.Greeter", Trampolines.gated(from, redirected, h, PREFIX), h, PREFIX);
    Object other = gated.load("fx.Person").getConstructor().newInstance();
    gated.gates(false);
    assertThat(gated.call(gated.type, other, "greet", STRING, "bo")).isEqualTo("hi bo.");
    gated.gates(true);
    assertThat(gated.call(gated.type, other, "greet", STRING, "bo")).isEqualTo("[hello bo].P");
  }

  @Test
  void hiddenClassHoldsPublicStaticMethodsOnly() throws Exception {
    ClassChange change = calcChange();
    HiddenClass h = Trampolines.hidden(calc(2), change, List.of("bump()I", "label(I)Ljava/lang/String;",
        "viaLambda(Ljava/lang/String;)Ljava/lang/String;"), CALC_SHADOWS, PREFIX);
    ClassNode node = node(h.bytes());
    ClassNode c = node(calc(2));
    assertThat(node.name).isEqualTo("fx/Calc$$Jlp").isEqualTo(h.name());
    assertThat(node.access).isEqualTo(Opcodes.ACC_FINAL | Opcodes.ACC_SUPER | Opcodes.ACC_SYNTHETIC);
    assertThat(node.superName).isEqualTo("java/lang/Object");
    assertThat(node.version).isEqualTo(c.version);
    assertThat(node.sourceFile).isEqualTo("Calc.java");
    assertThat(node.nestHostClass).isNull();
    assertThat(node.nestMembers).isNull();
    assertThat(node.interfaces).isEmpty();
    assertThat(node.fields).isEmpty();
    for (MethodNode method : node.methods) {
      assertThat(method.access).as(method.name).isEqualTo(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC);
    }
    assertThat(h.redirects()).containsEntry("bump()I", "bump|(Lfx/Calc;)I")
        .containsEntry("label(I)Ljava/lang/String;", "label|(Lfx/Calc;I)Ljava/lang/String;")
        .containsEntry("tag()Ljava/lang/String;", "tag|()Ljava/lang/String;")
        .containsEntry("weigh(JD)D", "weigh|(JD)D")
        .hasSize(3 + change.added().size());
    assertThat(h.methodName("bump()I")).isEqualTo("bump");
    assertThat(h.methodDescriptor("bump()I")).isEqualTo("(Lfx/Calc;)I");
    // Every lambda of H is bootstrapped by the bridge, none by LambdaMetafactory.
    List<org.objectweb.asm.tree.InvokeDynamicInsnNode> lambdas = new java.util.ArrayList<>();
    for (MethodNode method : node.methods) {
      for (var insn : method.instructions) {
        if (insn instanceof org.objectweb.asm.tree.InvokeDynamicInsnNode indy) {
          assertThat(indy.bsm.getOwner()).isNotEqualTo("java/lang/invoke/LambdaMetafactory");
          if (indy.bsm.getName().equals(Trampolines.LAMBDA_NAME)) {
            lambdas.add(indy);
          }
        }
      }
    }
    assertThat(lambdas).hasSize(3).allSatisfy(indy -> {
      assertThat(indy.bsm.getOwner()).isEqualTo("fx/" + Trampolines.BRIDGE_SIMPLE_NAME);
      assertThat(indy.bsm.getName()).isEqualTo(Trampolines.LAMBDA_NAME);
      assertThat(indy.bsm.getDesc()).isEqualTo(Trampolines.LAMBDA_DESCRIPTOR);
      assertThat(((org.objectweb.asm.Handle) indy.bsmArgs[1]).getOwner()).isEqualTo(h.name());
    });
  }

  @Test
  void clashingMethodsInHAreRenamedAndStillReached() throws Throwable {
    byte[] from = Fixtures.v1().get("fx.Clash");
    byte[] to = Fixtures.v2().get("fx.Clash");
    ClassChange change = Trampolines.compare(from, to);
    Set<String> both = Set.copyOf(change.changed());
    HiddenClass h = Trampolines.hidden(to, change, change.changed(), Set.of(), PREFIX);
    assertThat(h.redirects()).containsEntry("m(I)I", "m|(Lfx/Clash;I)I")
        .containsEntry("m(Lfx/Clash;I)I", "m$jlp1|(Lfx/Clash;I)I");
    Target target = new Target(Fixtures.v1(), "fx.Clash", Trampolines.steady(from, to, change, both, h, PREFIX), h,
        PREFIX);
    Object clash = target.newInstance(new Class<?>[0]);
    assertThat(target.call(clash, "m", INT, 1)).isEqualTo(102);
    assertThat(target.call(null, "m", new Class<?>[] {target.type, int.class}, clash, 1)).isEqualTo(-101);
  }

  @Test
  void java8ClassFilesWork() throws Throwable {
    Target target = TrampolinesTest.steadyCalc(Fixtures.version(1, "8"), Fixtures.version(2, "8"));
    assertThat(node(Fixtures.version(1, "8").get("fx.Calc")).version).isEqualTo(Opcodes.V1_8);
    Object calc = target.newInstance(INT, 5);
    assertThat(target.call(calc, "label", INT, 4)).isEqualTo("v2:5:8:1");
    assertThat(target.call(calc, "viaLambda", STRING, "ab")).isEqualTo("ab!ab2ab5");
    assertThat(target.call(calc, "mixed", NONE)).isEqualTo("m5v2");
    assertThat(target.call(calc, "hit", NONE)).isEqualTo(1);
  }

  @Test
  void logicalClassHasTheNewMethodsAndFields() {
    ClassChange change = calcChange();
    byte[] logical = Trampolines.logical(calc(1), calc(2), change.changed(), change.added(), change.shadowFields());
    assertThat(Fingerprints.ofClass(logical)).isEqualTo(Fingerprints.ofClass(calc(2)));
    assertThat(Trampolines.compare(logical, calc(2)).isEmpty()).isTrue();
    assertThat(Trampolines.compare(calc(2), logical).isEmpty()).isTrue();
    assertThat(node(logical).fields).extracting(f -> f.name + ":" + f.desc + ":" + f.access).containsExactlyInAnyOrder(
        node(calc(2)).fields.stream().map(f -> f.name + ":" + f.desc + ":" + f.access).toArray(String[]::new));

    assertThatThrownBy(() -> Trampolines.logical(calc(2), calc(2), List.of(), List.of("tag()Ljava/lang/String;"),
        List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("method fx/Calc.tag()Ljava/lang/String; is already in the running class");
    assertThatThrownBy(() -> Trampolines.logical(calc(1), calc(1), List.of("tag()Ljava/lang/String;"), List.of(),
        List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("method fx/Calc.tag()Ljava/lang/String; is missing from the new class");
  }

  @Test
  void whatCannotRunFromAHiddenClassIsRefusedByName() throws Exception {
    byte[] from = Fixtures.v1().get("fx.Bad");
    byte[] to = Fixtures.v2().get("fx.Bad");
    ClassChange change = Trampolines.compare(from, to);
    assertThat(change.changed()).contains("<init>()V", "<clinit>()V", "toString()Ljava/lang/String;", "other()I");
    assertNotMovable(to, change, "<init>()V", Set.of(),
        "fx/Bad.<init>()V cannot run from a hidden class: it is a constructor, which must run in place");
    assertNotMovable(to, change, "<clinit>()V", Set.of(),
        "fx/Bad.<clinit>()V cannot run from a hidden class: it is a static initializer, which runs once, in place");
    assertNotMovable(to, change, "nat()I", Set.of(),
        "fx/Bad.nat()I cannot run from a hidden class: it is native: there is no body to move");
    // A super call is movable: H makes it through fx/Bad (see HostAccessTest).
    assertThat(Trampolines.hidden(to, change, List.of("toString()Ljava/lang/String;"), Set.of(), PREFIX).redirects())
        .containsKey("toString()Ljava/lang/String;");
    assertNotMovable(to, change, "other()I", Set.of("fx/Util.added()I"),
        "fx/Bad.other()I cannot run from a hidden class: it calls fx/Util.added()I, a method the patch adds to "
            + "another class; calling it from a hidden class is not supported yet");
    byte[] greeter = Fixtures.v2().get("fx.Greeter");
    assertNotMovable(greeter, Trampolines.compare(Fixtures.v1().get("fx.Greeter"), greeter),
        "name()Ljava/lang/String;", Set.of(),
        "fx/Greeter.name()Ljava/lang/String; cannot run from a hidden class: it is abstract: there is no body to move");

    HiddenClass h = Trampolines.hidden(to, change, List.of("other()I"), Set.of(), PREFIX);
    assertThatThrownBy(() -> Trampolines.gated(from, List.of("<init>()V"), h, PREFIX))
        .isInstanceOf(NotMovableException.class)
        .hasMessage("fx/Bad.<init>()V cannot run from a hidden class: it is a constructor, which must run in place");
    assertThatThrownBy(() -> Trampolines.gated(from, List.of("toString()Ljava/lang/String;"), h, PREFIX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the hidden class holds no body for fx/Bad.toString()Ljava/lang/String;");
    assertThatThrownBy(() -> Trampolines.hidden(to, change, List.of("gone()V"), Set.of(), PREFIX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("method fx/Bad.gone()V is missing from the new class");
  }

  private static void assertNotMovable(byte[] to, ClassChange change, String key, Set<String> patchAdded,
      String message) {
    assertThatThrownBy(() -> Trampolines.hidden(to, change, List.of(key), Set.of(), patchAdded, PREFIX))
        .isInstanceOfSatisfying(NotMovableException.class, e -> {
          assertThat(e).hasMessage(message);
          assertThat(e.className() + "." + e.method() + e.descriptor()).isEqualTo(message.split(" ")[0]);
          assertThat(message).endsWith(e.reason());
        });
  }
}
