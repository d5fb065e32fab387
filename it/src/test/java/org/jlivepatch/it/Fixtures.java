package org.jlivepatch.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jlivepatch.api.PatchHook;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.BuildInfo;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.HookClass;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.payload.PayloadWriter;
import org.jlivepatch.core.splice.ClassSplicer;
import org.jlivepatch.core.testing.InMemoryCompiler;

/**
 * The fixture app's sources in versions, compiled at test time, and patches built from two
 * versions: every method whose fingerprint differs is patched in place.
 */
final class Fixtures {

  /** One version of the app's patchable classes. */
  record Version(String greetSuffix, int pair, int lazy) {
    static final Version BASE = new Version("", 1, 1);
  }

  private Fixtures() {}

  /** The app's sources in {@code version}. */
  static Map<String, String> appSources(Version version) {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("app.Main", resource("fixture/app/Main.java"));
    sources.put("app.Greeter", "package app; public final class Greeter {\n"
        + "  public static String greet(String name) { return \"Hello, \" + name + \"" + version.greetSuffix() + "\"; }\n"
        + "  public static int unchanged() { return 42; }\n}\n");
    sources.put("app.Left", "package app; public final class Left { public static int version() { return "
        + version.pair() + "; } }\n");
    sources.put("app.Right", "package app; public final class Right { public static int version() { return "
        + version.pair() + "; } }\n");
    sources.put("app.Lazy", "package app; public final class Lazy { public static String value() { return \"lazy-\" + "
        + version.lazy() + "; } }\n");
    return sources;
  }

  /** Compiles the app in {@code version}. */
  static Map<String, byte[]> app(Version version) {
    return InMemoryCompiler.compile(appSources(version), "--release", "17", "-g");
  }

  /** A library class {@code lib.Lib} whose {@code value()} returns {@code expression}. */
  static Map<String, byte[]> lib(String expression) {
    return InMemoryCompiler.compile(Map.of("lib.Lib",
        "package lib; public final class Lib { public static String value() { return " + expression + "; } }\n"),
        "--release", "17", "-g");
  }

  /** Compiles hook classes against the api. */
  static Map<String, byte[]> hooks(Map<String, String> sources) {
    String api = PatchHook.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    return InMemoryCompiler.compile(sources, "--release", "17", "-classpath", api);
  }

  /** Writes class files under {@code dir}. */
  static Path write(Map<String, byte[]> classes, Path dir) throws IOException {
    for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
      Path file = dir.resolve(entry.getKey().replace('.', '/') + ".class");
      Files.createDirectories(file.getParent());
      Files.write(file, entry.getValue());
    }
    return dir;
  }

  /** A patch changing every method that differs between {@code before} and {@code after}, except in app.Main. */
  static Patch patch(String id, String depends, Map<String, byte[]> before, Map<String, byte[]> after,
      List<HookClass> hooks) {
    List<PatchedClass> classes = new ArrayList<>();
    for (Map.Entry<String, byte[]> entry : after.entrySet()) {
      byte[] old = before.get(entry.getKey());
      if (old == null || entry.getKey().equals("app.Main")) {
        continue;
      }
      Map<String, String> oldPrints = Fingerprints.ofClass(old);
      Map<String, String> newPrints = Fingerprints.ofClass(entry.getValue());
      List<PatchedMethod> methods = new ArrayList<>();
      newPrints.forEach((key, print) -> {
        String oldPrint = oldPrints.get(key);
        if (oldPrint != null && !oldPrint.equals(print)) {
          int paren = key.indexOf('(');
          methods.add(new PatchedMethod(key.substring(0, paren), key.substring(paren), ChangeKind.IN_PLACE, oldPrint, print));
        }
      });
      if (!methods.isEmpty()) {
        byte[] spliced = ClassSplicer.splice(old, entry.getValue(), methods.stream().map(PatchedMethod::key).toList());
        classes.add(new PatchedClass(entry.getKey(), old, spliced, methods));
      }
    }
    return new Patch(id, "integration test patch " + id, Optional.ofNullable(depends), org.jlivepatch.core.Version.current(),
        BuildInfo.UNKNOWN, BuildInfo.UNKNOWN, 17, classes, hooks, List.of(), List.of(), List.of());
  }

  /** Hook classes for a payload; {@code entryPoint} names the one implementing PatchHook. */
  static List<HookClass> hookClasses(Map<String, byte[]> compiled, String entryPoint) {
    List<HookClass> hooks = new ArrayList<>();
    compiled.forEach((name, bytes) -> hooks.add(new HookClass(name, bytes, name.equals(entryPoint))));
    return hooks;
  }

  /** Writes a payload file, signed when {@code key} is given. */
  static Path payload(Patch patch, Path file, PrivateKey key) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      PayloadWriter.write(patch, Optional.ofNullable(key), out);
    }
    return file;
  }

  private static String resource(String name) {
    try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + name + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
