package org.jlivepatch.core.payload;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.diff.ClassDiffer;
import org.jlivepatch.core.diff.DiffOptions;
import org.jlivepatch.core.diff.DiffResult;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.BuildInfo;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.HookClass;
import org.jlivepatch.core.model.Ignored;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.model.Renamed;
import org.jlivepatch.core.model.Warning;
import org.jlivepatch.core.splice.ClassSplicer;
import org.jlivepatch.core.testing.InMemoryCompiler;

/**
 * Small patches built by hand from compiled fixture sources, for payload tests here and in other
 * modules (through core's test jar).
 */
public final class PayloadFixtures {

  private static final String GREETER_V1 = "package demo; public class Greeter {\n"
      + "  public String greet(String name) { return \"Hello, \" + name; }\n"
      + "  public int count(int n) { return n + 1; }\n"
      + "  public static String version() { return \"1\"; }\n"
      + "}\n";
  private static final String GREETER_V2 = "package demo; public class Greeter {\n"
      + "  public String greet(String name) { return \"Hello, \" + name.strip() + \"!\"; }\n"
      + "  public int count(int n) { return n + 2; }\n"
      + "  public static String version() { return \"1\"; }\n"
      + "}\n";
  private static final String UTIL_V1 = "package demo.util; public final class Check {\n"
      + "  public static boolean ok(int x) { return x > 0; }\n"
      + "}\n";
  private static final String UTIL_V2 = "package demo.util; public final class Check {\n"
      + "  public static boolean ok(int x) { return x >= 0 && x < 1000; }\n"
      + "}\n";
  private static final String HOOK = "package demo.hooks; public class Hook {\n"
      + "  public void preApply() {}\n"
      + "}\n";

  private static final String CODEC_V1 = "package demo; public class Codec {\n"
      + "  public String encode(String s) { return \"<\" + s + \">\"; }\n"
      + "  public String decode(String s) { return s.substring(1, s.length() - 1); }\n"
      + "}\n";
  /** Adds a method, a lambda, a class, an instance field and a static field. */
  private static final String CODEC_V2 = "package demo; import java.util.function.Function; public class Codec {\n"
      + "  private int depth;\n"
      + "  private static int calls;\n"
      + "  public String encode(String s) {\n"
      + "    calls++;\n"
      + "    depth = check(s);\n"
      + "    Function<String, String> wrap = t -> new Brackets().wrap(t);\n"
      + "    return wrap.apply(s);\n"
      + "  }\n"
      + "  public String decode(String s) { return new Brackets().unwrap(s); }\n"
      + "  private int check(String s) { return s.length(); }\n"
      + "}\n";
  private static final String BRACKETS = "package demo; class Brackets {\n"
      + "  String wrap(String s) { return \"[\" + s + \"]\"; }\n"
      + "  String unwrap(String s) { return s.substring(1, s.length() - 1); }\n"
      + "}\n";
  private static final String CLIENT = "package demo; public class Client {\n"
      + "  public static String roundTrip(Codec codec, String s) { return codec.decode(codec.encode(s)); }\n"
      + "}\n";

  private PayloadFixtures() {}

  /** The classes of the application {@link #trampolinePatch()} is built against. */
  public static Map<String, byte[]> trampolineOld() {
    return InMemoryCompiler.compile(Map.of("demo.Codec", CODEC_V1, "demo.Client", CLIENT), "-g");
  }

  /** The same application with the fix. */
  public static Map<String, byte[]> trampolineNew() {
    return InMemoryCompiler.compile(Map.of("demo.Codec", CODEC_V2, "demo.Brackets", BRACKETS, "demo.Client", CLIENT),
        "-g");
  }

  /**
   * A patch built by the differ from a fix of {@code demo.Codec} that adds a method, a lambda, a
   * class ({@code demo.Brackets}), an instance field and a static field: {@code encode} is a
   * trampoline, {@code decode} in place, {@code demo.Client.roundTrip} a guard.
   */
  public static Patch trampolinePatch() {
    ClassSet.Builder old = ClassSet.builder();
    trampolineOld().forEach(old::add);
    ClassSet.Builder fixed = ClassSet.builder();
    trampolineNew().forEach(fixed::add);
    DiffResult diff = ClassDiffer.diff(old.build(), fixed.build(), DiffOptions.ALL);
    if (!diff.patchable()) {
      throw new IllegalStateException("the trampoline fixture is not patchable: " + diff.refused());
    }
    return diff.toPatch("codec-1", "Brackets instead of angle brackets.", Optional.empty(), List.of());
  }

  /** A patch of two classes (three methods), one hook class, and one of each annotation. */
  public static Patch patch() {
    return patch("fix-1", Optional.empty());
  }

  /** Like {@link #patch()}, with the given id and dependency. */
  public static Patch patch(String id, Optional<String> depends) {
    Map<String, byte[]> v1 = InMemoryCompiler.compile(Map.of("demo.Greeter", GREETER_V1, "demo.util.Check", UTIL_V1), "-g");
    Map<String, byte[]> v2 = InMemoryCompiler.compile(Map.of("demo.Greeter", GREETER_V2, "demo.util.Check", UTIL_V2), "-g");
    byte[] hook = InMemoryCompiler.compile(Map.of("demo.hooks.Hook", HOOK)).get("demo.hooks.Hook");
    List<PatchedClass> classes = new ArrayList<>();
    classes.add(patchedClass("demo.Greeter", v1, v2, List.of("greet(Ljava/lang/String;)Ljava/lang/String;", "count(I)I")));
    classes.add(patchedClass("demo.util.Check", v1, v2, List.of("ok(I)Z")));
    return new Patch(id, "Strip names before greeting.\nSecond line: = : # ! \u00e9", depends, "0.1.0-test",
        new BuildInfo("17", 61), new BuildInfo("17.0.15", 61), 17, classes,
        List.of(new HookClass("demo.hooks.Hook", hook, true)),
        List.of(new Warning("demo.Greeter", "method count(I)I", "return value changes")),
        List.of(new Ignored("demo.Greeter", "version", "()Ljava/lang/String;", "line numbers only")),
        List.of(new Renamed("demo.Greeter", "lambda", "lambda$greet$0", "lambda$greet$1")));
  }

  /** The patched class {@code name}: the methods {@code keys} spliced from {@code v2} into {@code v1}. */
  public static PatchedClass patchedClass(String name, Map<String, byte[]> v1, Map<String, byte[]> v2, List<String> keys) {
    byte[] base = v1.get(name);
    byte[] spliced = ClassSplicer.splice(base, v2.get(name), keys);
    Map<String, String> before = Fingerprints.ofClass(base);
    Map<String, String> after = Fingerprints.ofClass(spliced);
    List<PatchedMethod> methods = new ArrayList<>();
    for (String key : keys) {
      int paren = key.indexOf('(');
      methods.add(new PatchedMethod(key.substring(0, paren), key.substring(paren), ChangeKind.IN_PLACE,
          before.get(key), after.get(key)));
    }
    return new PatchedClass(name, base, spliced, methods);
  }

  /** The payload file of {@code patch}. */
  public static byte[] write(Patch patch, Optional<PrivateKey> key) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PayloadWriter.write(patch, key, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The unsigned payload file of {@link #patch()}. */
  public static byte[] unsigned() {
    return write(patch(), Optional.empty());
  }
}
