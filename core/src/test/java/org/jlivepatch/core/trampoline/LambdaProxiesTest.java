package org.jlivepatch.core.trampoline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jlivepatch.core.trampoline.TrampolinesTest.PREFIX;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jlivepatch.core.testing.InMemoryCompiler;
import org.junit.jupiter.api.Test;

/**
 * The lambdas of a hidden class, linked by {@link LambdaProxies} instead of the JDK's
 * LambdaMetafactory: what javac emits works, and the lambda's class does not keep H loaded.
 */
class LambdaProxiesTest {

  private static final String HEAD = String.join("\n",
      "package fx;",
      "import java.util.function.*;",
      "public class Lam {",
      "  public interface Fn<T extends CharSequence> { Object apply(T t); default String twice(T t) { return \"\" + apply(t) + apply(t); } }",
      "  public interface Str extends Fn<String> { String apply(String s); }",
      "  public interface Marker {}",
      "  public interface Obj { Object make(String s); }",
      "  public interface Chars { CharSequence make(String s); }",
      "  private int base = 7;",
      "  private String name() { return \"lam\"; }",
      "  static String twice(String s) { return s + s; }",
      "");

  private static final String V1 = HEAD + String.join("\n",
      "  public String run(String s) { return s; }",
      "  public Object pick(int which, String s) { return null; }",
      "  public String serial() { return \"\"; }",
      "}", "");

  private static final String V2 = HEAD + String.join("\n",
      "  public String run(String s) {",
      "    Supplier<String> none = () -> \"k\";",
      "    Function<String, String> cap = t -> t + s + base;",
      "    Function<String, Integer> len = String::length;",
      "    Function<String, String> tw = Lam::twice;",
      "    Supplier<String> nm = this::name;",
      "    Function<String, StringBuilder> ctor = StringBuilder::new;",
      "    Str str = x -> x.toUpperCase();",
      "    Fn<String> raw = str;",
      "    Runnable marked = (Runnable & Marker) () -> {};",
      "    IntBinaryOperator add = Integer::sum;",
      "    ToLongFunction<String> parse = Long::parseLong;",
      "    DoubleSupplier wide = () -> base;",
      "    return none.get() + \"|\" + cap.apply(\"t\") + \"|\" + len.apply(s) + \"|\" + tw.apply(s) + \"|\" + nm.get()",
      "        + \"|\" + ctor.apply(s).reverse() + \"|\" + str.apply(s) + \"|\" + raw.apply(s) + \"|\" + raw.twice(s)",
      "        + \"|\" + (marked instanceof Marker) + \"|\" + add.applyAsInt(2, 3) + \"|\" + parse.applyAsLong(\"40\")",
      "        + \"|\" + wide.getAsDouble();",
      "  }",
      "  public Object pick(int which, String s) {",
      "    switch (which) {",
      "      case 0: return (Supplier<String>) () -> \"none\";",
      "      case 1: return (Supplier<String>) () -> s + base;",
      "      case 2: return (Str) x -> x + s;",
      "      case 4: return (Chars & Obj) x -> x + s;",
      "      default: return (Runnable & Marker) () -> {};",
      "    }",
      "  }",
      "  public String serial() { return \"\"; }",
      "}", "");

  private static final String SERIAL = V2.replace("public String serial() { return \"\"; }",
      "public String serial() { Supplier<String> s = (Supplier<String> & java.io.Serializable) () -> \"s\"; return s.get(); }");

  private static byte[] lam(String source) {
    return InMemoryCompiler.compile(Map.of("fx.Lam", source), "--release", "17", "-g").get("fx.Lam");
  }

  private static Map<String, byte[]> v1() {
    return InMemoryCompiler.compile(Map.of("fx.Lam", V1), "--release", "17", "-g");
  }

  private static Target target() throws Throwable {
    byte[] from = lam(V1);
    byte[] to = lam(V2);
    ClassChange change = Trampolines.compare(from, to);
    HiddenClass h = Trampolines.hidden(to, change, change.changed(), Set.of(), PREFIX);
    return new Target(v1(), "fx.Lam", Trampolines.steady(from, to, change, Set.copyOf(change.changed()), h, PREFIX),
        h, PREFIX);
  }

  @Test
  void whatJavacEmitsRunsFromTheHiddenClass() throws Throwable {
    Target target = target();
    Object lam = target.newInstance(new Class<?>[0]);
    assertThat(target.call(lam, "run", new Class<?>[] {String.class}, "ab"))
        .isEqualTo("k|tab7|2|abab|lam|ba|AB|AB|ABAB|true|5|40|7.0");
  }

  @Test
  void lambdaObjectsKeepTheirInterfacesIdentityAndBridges() throws Throwable {
    Target target = target();
    Object lam = target.newInstance(new Class<?>[0]);
    Class<?>[] pick = {int.class, String.class};
    Object none = target.call(lam, "pick", pick, 0, "s");
    assertThat(none).isSameAs(target.call(lam, "pick", pick, 0, "t"));
    assertThat(((Supplier<?>) none).get()).isEqualTo("none");
    Object captured = target.call(lam, "pick", pick, 1, "s");
    assertThat(captured).isNotSameAs(target.call(lam, "pick", pick, 1, "s"));
    assertThat(((Supplier<?>) captured).get()).isEqualTo("s7");
    Class<?> type = captured.getClass();
    assertThat(type.isHidden()).isTrue();
    assertThat(type.isSynthetic()).isTrue();
    assertThat(type.getNestHost()).isSameAs(target.type);
    assertThat(type.getName()).startsWith("fx.Lam$$JlpLambda/");

    // The functional interface's method and the bridge of its super-interface, both declared.
    Object str = target.call(lam, "pick", pick, 2, "!");
    Class<?> strType = target.loader.loadClass("fx.Lam$Str");
    Class<?> fnType = target.loader.loadClass("fx.Lam$Fn");
    assertThat(strType.isInstance(str)).isTrue();
    assertThat(strType.getMethod("apply", String.class).invoke(str, "x")).isEqualTo("x!");
    assertThat(fnType.getMethod("apply", CharSequence.class).invoke(str, "y")).isEqualTo("y!");
    assertThat(fnType.getMethod("twice", CharSequence.class).invoke(str, "z")).isEqualTo("z!z!");
    // javac puts Fn's bridge into Str; an intersection has no interface to hold it: the lambda does (FLAG_BRIDGES).
    Object both = target.call(lam, "pick", pick, 4, "?");
    Class<?> chars = target.loader.loadClass("fx.Lam$Chars");
    Class<?> obj = target.loader.loadClass("fx.Lam$Obj");
    assertThat(chars.getMethod("make", String.class).invoke(both, "c")).isEqualTo("c?");
    assertThat(obj.getMethod("make", String.class).invoke(both, "o")).isEqualTo("o?");
    assertThat(Set.of(both.getClass().getDeclaredMethods()).stream().map(m -> m.getName()
        + MethodType.methodType(m.getReturnType(), m.getParameterTypes()).toMethodDescriptorString()))
        .containsExactlyInAnyOrder("make(Ljava/lang/String;)Ljava/lang/CharSequence;",
            "make(Ljava/lang/String;)Ljava/lang/Object;");
    assertThatThrownBy(() -> fnType.getMethod("apply", CharSequence.class).invoke(str, new StringBuilder("no")))
        .hasCauseInstanceOf(ClassCastException.class);

    Object marked = target.call(lam, "pick", pick, 3, "");
    assertThat(marked).isInstanceOf(Runnable.class);
    assertThat(target.loader.loadClass("fx.Lam$Marker").isInstance(marked)).isTrue();
  }

  @Test
  void serializableLambdasAreRefusedWithTheWayOut() {
    byte[] from = lam(V1);
    byte[] to = lam(SERIAL);
    ClassChange change = Trampolines.compare(from, to);
    assertThatThrownBy(() -> Trampolines.hidden(to, change, change.changed(), Set.of(), PREFIX))
        .isInstanceOf(NotMovableException.class)
        .hasMessageContaining("fx/Lam.serial()Ljava/lang/String;")
        .hasMessageContaining("serializable lambda")
        .hasMessageContaining("use a named class implementing the interface instead");
  }

  /**
   * H, its lambdas run, is collected while C's loader lives: the lambda classes do not keep it, as
   * the JDK's STRONG ones would.
   */
  @Test
  void theHiddenClassIsCollectedWithItsLambdas() throws Throwable {
    byte[] from = lam(V1);
    byte[] to = lam(V2);
    ClassChange change = Trampolines.compare(from, to);
    HiddenClass h = Trampolines.hidden(to, change, change.changed(), Set.of(), PREFIX);
    // C stays as it was: only H, called directly, links the lambdas.
    Target target = new Target(v1(), "fx.Lam", from, h, PREFIX);
    WeakReference<Class<?>>[] classes = runThroughHidden(target);
    target.hidden = null;
    for (int i = 0; i < 50 && (classes[0].get() != null || classes[1].get() != null); i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(target.type).isNotNull();
    assertThat(classes[0].get()).as("H").isNull();
    assertThat(classes[1].get()).as("a lambda class of H").isNull();
  }

  @SuppressWarnings("unchecked")
  private static WeakReference<Class<?>>[] runThroughHidden(Target target) throws Throwable {
    Object lam = target.newInstance(new Class<?>[0]);
    MethodHandle run = target.hidden.findStatic(target.hidden.lookupClass(), "run",
        MethodType.methodType(String.class, target.type, String.class));
    assertThat(run.invoke(lam, "ab")).isEqualTo("k|tab7|2|abab|lam|ba|AB|AB|ABAB|true|5|40|7.0");
    MethodHandle pick = target.hidden.findStatic(target.hidden.lookupClass(), "pick",
        MethodType.methodType(Object.class, target.type, int.class, String.class));
    Class<?> proxy = pick.invoke(lam, 1, "s").getClass();
    return new WeakReference[] {new WeakReference<>(target.hidden.lookupClass()), new WeakReference<>(proxy)};
  }

  @Test
  void argumentsThatAreNoLambdaAreRefused() {
    assertThatThrownBy(() -> LambdaProxies.link(MethodHandles.lookup(), "get", MethodType.methodType(Supplier.class),
        "x")).isInstanceOf(java.lang.invoke.LambdaConversionException.class).hasMessageContaining("static arguments");
  }
}
