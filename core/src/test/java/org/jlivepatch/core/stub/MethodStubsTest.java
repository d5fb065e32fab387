package org.jlivepatch.core.stub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.diff.DiffResult;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.testing.InMemoryCompiler;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;

class MethodStubsTest {

  static final String SOURCE = String.join("\n",
      "package com.vendor;",
      "public class Jndi {",
      "  public static String lookup(String name) { return \"looked up \" + name; }",
      "  public static String lookup(String name, int timeout) { return \"looked up \" + name + \" in \" + timeout; }",
      "  public static int count(String s) { return s.length(); }",
      "  public static long big() { return 1L; }",
      "  public static boolean enabled() { return true; }",
      "  public static Integer boxed() { return 1; }",
      "  public static Object any() { return new Object(); }",
      "  public static java.util.List<String> names() { return java.util.List.of(\"a\"); }",
      "  public static void run(StringBuilder out) { out.append(\"ran\"); }",
      "  public static void check() throws java.io.IOException { }",
      "  public abstract static class Base { public abstract void m(); }",
      "  public static class Denied extends RuntimeException { public Denied(String m) { super(m); } }",
      "}",
      "");

  static final ClassSet VENDOR = vendor();

  static ClassSet vendor() {
    ClassSet.Builder builder = ClassSet.builder();
    InMemoryCompiler.compile(Map.of("com.vendor.Jndi", SOURCE), "--release", "17", "-g").forEach(builder::add);
    return builder.build();
  }

  static DiffResult stub(String spec, String returns) throws StubSpecException {
    return MethodStubs.build(VENDOR, List.of(), spec, returns);
  }

  static Object call(DiffResult result, String name, Class<?>[] types, Object... args) throws Throwable {
    PatchedClass patched = result.classes().get(0);
    byte[] bytes = patched.newBytes();
    Class<?> type = new ClassLoader(MethodStubsTest.class.getClassLoader()) {
      @Override
      protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(className)) {
          Class<?> loaded = findLoadedClass(className);
          if (loaded != null) {
            return loaded;
          }
          byte[] classFile = className.equals(patched.name()) ? bytes : VENDOR.classes().get(className);
          return classFile != null ? defineClass(className, classFile, 0, classFile.length)
              : super.loadClass(className, resolve);
        }
      }
    }.loadClass(patched.name());
    Method method = type.getMethod(name, types);
    try {
      return method.invoke(null, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void returnsNullDefaultOrALiteral() throws Throwable {
    DiffResult nulled = stub("com.vendor.Jndi#lookup(Ljava/lang/String;)", "null");
    assertThat(nulled.refused()).isEmpty();
    assertThat(nulled.changed()).singleElement().satisfies(m -> {
      assertThat(m.descriptor()).isEqualTo("(Ljava/lang/String;)Ljava/lang/String;");
      assertThat(m.kind()).isEqualTo(ChangeKind.IN_PLACE);
    });
    assertThat(call(nulled, "lookup", new Class<?>[] {String.class}, "x")).isNull();
    assertThat(call(nulled, "lookup", new Class<?>[] {String.class, int.class}, "x", 3)).isEqualTo("looked up x in 3");

    assertThat(call(stub("Jndi#count", "default"), "count", new Class<?>[] {String.class}, "abc")).isEqualTo(0);
    assertThat(call(stub("Jndi#count", "-7"), "count", new Class<?>[] {String.class}, "abc")).isEqualTo(-7);
    assertThat(call(stub("Jndi#big", "0x10L"), "big", new Class<?>[0])).isEqualTo(16L);
    assertThat(call(stub("Jndi#enabled", "false"), "enabled", new Class<?>[0])).isEqualTo(false);
    assertThat(call(stub("Jndi#boxed", "42"), "boxed", new Class<?>[0])).isEqualTo(42);
    assertThat(call(stub("Jndi#any", "\"null\""), "any", new Class<?>[0])).isEqualTo("null");
    assertThat(call(stub("com.vendor.Jndi#lookup(Ljava/lang/String;)Ljava/lang/String;", "5"), "lookup",
        new Class<?>[] {String.class}, "x")).isEqualTo("5");
    StringBuilder out = new StringBuilder();
    call(stub("Jndi#run", "default"), "run", new Class<?>[] {StringBuilder.class}, out);
    assertThat(out).isEmpty();
  }

  @Test
  void throwsAnExceptionNamingTheMethod() throws Throwable {
    DiffResult jdk = stub("Jndi#count", "throw:java.lang.UnsupportedOperationException");
    assertThatThrownBy(() -> call(jdk, "count", new Class<?>[] {String.class}, "a"))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessage("com.vendor.Jndi.count is disabled by a jlivepatch emergency stub");
    DiffResult vendors = stub("Jndi#count", "throw:com.vendor.Jndi$Denied");
    assertThatThrownBy(() -> call(vendors, "count", new Class<?>[] {String.class}, "a"))
        .hasMessage("com.vendor.Jndi.count is disabled by a jlivepatch emergency stub")
        .extracting(t -> t.getClass().getName()).isEqualTo("com.vendor.Jndi$Denied");
    DiffResult undeclared = stub("Jndi#count", "throw:java.io.IOException");
    assertThat(undeclared.warnings()).anySatisfy(w -> assertThat(w.message())
        .startsWith("the stub throws checked exception java.io.IOException, which the method does not declare"));
    assertThat(stub("Jndi#check", "throw:java.io.FileNotFoundException").warnings())
        .noneMatch(w -> w.message().contains("does not declare"));
  }

  @Test
  void keepsEveryOtherMethodAsTheVendorHasIt() throws Exception {
    DiffResult result = stub("Jndi#count", "default");
    byte[] vendorBytes = VENDOR.classes().get("com.vendor.Jndi");
    PatchedClass patched = result.classes().get(0);
    assertThat(patched.baseBytes()).isEqualTo(vendorBytes);
    Map<String, String> before = Fingerprints.ofClass(vendorBytes);
    Map<String, String> after = Fingerprints.ofClass(patched.newBytes());
    assertThat(after.keySet()).containsExactlyElementsOf(before.keySet());
    before.forEach((key, print) -> {
      if (key.equals("count(Ljava/lang/String;)I")) {
        assertThat(after.get(key)).isNotEqualTo(print).isEqualTo(patched.methods().get(0).newFingerprint());
        assertThat(patched.methods().get(0).expectedFingerprint()).isEqualTo(print);
      } else {
        assertThat(after.get(key)).as(key).isEqualTo(print);
      }
    });
    assertThat(new ClassReader(patched.newBytes()).getClassName()).isEqualTo("com/vendor/Jndi");
  }

  @Test
  void refusesWhatTheReturnTypeMakesImpossible() throws Exception {
    assertRefused(stub("Jndi#count", "null"), "cannot return null from a method returning int: use default or a value of that type");
    assertRefused(stub("Jndi#count", "five"), "cannot return 'five' from a method returning int: not a int literal");
    assertRefused(stub("Jndi#enabled", "1"), "cannot return '1' from a method returning boolean: not a boolean literal (true or false)");
    assertRefused(stub("Jndi#names", "5"), "cannot return the literal '5' from a method returning java.util.List");
    assertRefused(stub("Jndi#run", "1"), "a void method returns no value");
    assertRefused(stub("Jndi#count", "throw:java.lang.String"), "java.lang.String is not a Throwable");
    assertRefused(stub("Jndi#count", "throw:com.example.Missing"), "exception class com.example.Missing is neither");
    assertRefused(stub("Jndi$Base#m", "default"), "an abstract or native method has no body to replace");
    assertRefused(stub("Jndi#<init>", "default"), "a constructor cannot be stubbed");
  }

  @Test
  void refusesSpecsNamingNoSingleMethod() {
    assertThatThrownBy(() -> stub("com.vendor.Jndi#lookup", "null"))
        .isInstanceOf(StubSpecException.class)
        .hasMessage("--stub 'com.vendor.Jndi#lookup': com.vendor.Jndi#lookup is ambiguous: "
            + "[lookup(Ljava/lang/String;)Ljava/lang/String;, lookup(Ljava/lang/String;I)Ljava/lang/String;]; "
            + "add the descriptor, e.g. com.vendor.Jndi#lookup(Ljava/lang/String;)Ljava/lang/String;");
    assertThatThrownBy(() -> stub("com.vendor.Jndi#nothing", "null")).hasMessage("--stub 'com.vendor.Jndi#nothing': class com.vendor.Jndi has no method nothing");
    assertThatThrownBy(() -> stub("com.vendor.Nope#x", "null")).hasMessage("--stub 'com.vendor.Nope#x': no class com.vendor.Nope among the classes of --old");
    assertThatThrownBy(() -> stub("com.vendor.Jndi", "null")).hasMessageStartingWith("--stub 'com.vendor.Jndi': expected CLASS#METHOD");
  }

  static void assertRefused(DiffResult result, String reasonStart) {
    assertThat(result.classes()).isEmpty();
    assertThat(result.refused()).singleElement().satisfies(r -> assertThat(r.reason()).startsWith(reasonStart));
  }
}
