package org.jlivepatch.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jlivepatch.core.testing.InMemoryCompiler;

/**
 * The trampoline access tests' fixture app ({@code fixture/heirapp/Main.java}): app.Heir extends
 * lib.Base, another package, and implements lib.Titled; app.Late is loaded late. Compiled at test
 * time in versions; patches are built from two versions' class directories by the real CLI.
 */
final class HeirApp {

  static final String BASE = """
      package lib;
      public abstract class Base {
        protected int visits;
        protected static int made;
        private final String id;
        protected Base(String id) { this.id = id; made++; }
        protected String id() { return id; }
        protected static String kind() { return "base"; }
        public String describe() { return "base " + id; }
      }
      """;

  static final String TITLED = """
      package lib;
      public interface Titled { default String title() { return "titled"; } }
      """;

  static final String HEIR = """
      package app;
      public final class Heir extends lib.Base implements lib.Titled {
        public Heir(String id) { super(id); }
        public String describe() { return "heir " + id(); }
        public String plain() { return "plain " + id(); }
        public String title() { return "heir"; }
      }
      """;

  /**
   * The fix: describe() needs a trampoline (it calls an added helper, which creates a new lambda
   * calling a protected method) and uses protected members of lib.Base (an instance field, a static
   * field, an instance and a static method), a super call and a super-interface default method;
   * plain() changes in place with a super call.
   */
  static final String HEIR_FIX = """
      package app;
      import java.util.function.Supplier;
      import lib.Titled;
      public final class Heir extends lib.Base implements lib.Titled {
        public Heir(String id) { super(id); }
        public String describe() {
          visits++;
          return label() + " visits=" + visits + " made=" + made + " kind=" + kind() + " super=[" + super.describe()
              + "] title=" + Titled.super.title();
        }
        private String label() {
          Supplier<String> upper = () -> id().toUpperCase();
          return "heir " + upper.get();
        }
        public String plain() { return "plain2 " + super.describe(); }
        public String title() { return "heir"; }
      }
      """;

  static final String LATE = """
      package app;
      public class Late {
        public static String hello() { return "late v1"; }
        public String name() { return "late"; }
      }
      """;

  /**
   * The late fix: hello() uses two classes the fix adds, one a subclass of app.Late itself (which
   * therefore cannot be defined while app.Late loads).
   */
  static final String LATE_FIX = """
      package app;
      public class Late {
        public static String hello() { return LateFormat.wrap(new LateLoud().name()); }
        public String name() { return "late"; }
      }
      """;

  static final String LATE_LOUD = """
      package app;
      final class LateLoud extends Late { public String name() { return "LATE v2"; } }
      """;

  static final String LATE_FORMAT = """
      package app;
      final class LateFormat { static String wrap(String text) { return "[" + text + "]"; } }
      """;

  static final String OUTER = """
      package app;
      public final class Outer {
        public static String touch() { return "outer"; }
        public static final class Inner { public static String value() { return "inner v1"; } }
      }
      """;

  /** The inner fix: an anonymous class, whose host is its nest host app.Outer, never loaded. */
  static final String OUTER_FIX = """
      package app;
      public final class Outer {
        public static String touch() { return "outer"; }
        public static final class Inner {
          public static String value() {
            Object made = new Object() { public String toString() { return "inner v2"; } };
            return made.toString();
          }
        }
      }
      """;

  private HeirApp() {}

  /** The app with app.Heir and app.Late in the given sources (LateFormat and LateLoud with the late fix). */
  static Map<String, byte[]> compile(String heir, String late) {
    return compile(heir, late, OUTER);
  }

  /** As {@link #compile(String, String)}, with app.Outer in {@code outer}. */
  static Map<String, byte[]> compile(String heir, String late, String outer) {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("app.Outer", outer);
    sources.put("app.Main", resource("fixture/heirapp/Main.java"));
    sources.put("lib.Base", BASE);
    sources.put("lib.Titled", TITLED);
    sources.put("app.Heir", heir);
    sources.put("app.Late", late);
    if (late.contains("LateFormat")) {
      sources.put("app.LateFormat", LATE_FORMAT);
      sources.put("app.LateLoud", LATE_LOUD);
    }
    return InMemoryCompiler.compile(sources, "--release", "17", "-g");
  }

  /** Compiles the app in a version and writes its class files to a new directory. */
  static Path classes(String heir, String late, String name) throws IOException {
    return classes(heir, late, OUTER, name);
  }

  static Path classes(String heir, String late, String outer, String name) throws IOException {
    return Fixtures.write(compile(heir, late, outer), Files.createTempDirectory(CodecApp.work(), name + "-"));
  }

  private static String resource(String name) {
    try (InputStream in = HeirApp.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + name + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
