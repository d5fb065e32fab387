package org.jlivepatch.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jlivepatch.core.testing.InMemoryCompiler;
import org.junit.jupiter.api.TestInfo;

/**
 * The consistency tests' fixture app ({@code fixture/codecapp/Main.java}) with app.Codec and
 * app.Account in versions, compiled at test time; patches are built from two versions' class
 * directories by the real CLI ({@code build --old --new}).
 */
final class CodecApp {

  /**
   * A version of app.Codec: {@code encode} tags the text with {@code tag}, {@code decode} accepts
   * only that tag and answers {@code lower(tag)|text}, or {@code mixed|data} when it sees another
   * version's tag. {@code roundTrip}, the caller of both, and {@code twice}, which loops over two
   * round trips (both guards), are the same in every version; neither has a string constant.
   */
  static String codec(char tag) {
    char lower = Character.toLowerCase(tag);
    return "package app;\n"
        + "public final class Codec {\n"
        + "  public static String roundTrip(String text) throws InterruptedException {\n"
        + "    return decode(encode(text));\n"
        + "  }\n"
        + "  public static String twice(String text) throws InterruptedException {\n"
        + "    String first = null;\n"
        + "    for (int i = 0; i < 2; i++) {\n"
        + "      String trip = decode(encode(text));\n"
        + "      if (first == null) {\n"
        + "        first = trip;\n"
        + "      } else if (!first.equals(trip)) {\n"
        + "        return Main.split(first, trip);\n"
        + "      }\n"
        + "    }\n"
        + "    return first;\n"
        + "  }\n"
        + "  public static String encode(String text) throws InterruptedException {\n"
        + "    Main.holdIf(text);\n"
        + "    Main.pause();\n"
        + "    return \"" + tag + ":\" + text;\n"
        + "  }\n"
        + "  public static String decode(String data) {\n"
        + "    Main.pause();\n"
        + "    return data.startsWith(\"" + tag + ":\") ? \"" + lower + "|\" + data.substring(2) : \"mixed|\" + data;\n"
        + "  }\n"
        + "}\n";
  }

  /** app.Account as it runs before any fix. */
  static final String ACCOUNT = """
      package app;
      import java.util.List;
      public final class Account {
        private final String name;
        public Account(String name) { this.name = name; }
        public String describe() { return "account " + name; }
        public static String report(List<String> names) { return String.join(",", names); }
      }
      """;

  /**
   * The fix: a private helper (label), a new lambda (in report), a new class (AccountFormat), an
   * instance field (views, per object) and a static field (total); the constructor is unchanged.
   */
  static final String ACCOUNT_FIX = """
      package app;
      import java.util.List;
      import java.util.stream.Collectors;
      public final class Account {
        private final String name;
        private int views;
        private static int total;
        public Account(String name) { this.name = name; }
        public String describe() {
          views++;
          total++;
          return AccountFormat.brackets(label()) + " views=" + views + " total=" + total;
        }
        private String label() { return "account " + name.toUpperCase(); }
        public static String report(List<String> names) {
          return names.stream().map(n -> "<" + n + ">").collect(Collectors.joining("+"));
        }
      }
      """;

  /** A second fix on top of {@link #ACCOUNT_FIX}, of the same method: it reads the first fix's fields. */
  static final String ACCOUNT_FIX2 = ACCOUNT_FIX.replace("\" total=\" + total;", "\" total=\" + total + \" v2\";");

  static final String ACCOUNT_FORMAT = """
      package app;
      final class AccountFormat {
        static String brackets(String text) { return "[" + text + "]"; }
      }
      """;

  private CodecApp() {}

  /** The app with Codec tagged {@code tag} and Account in {@code accountSource} (plus AccountFormat when it uses it). */
  static Map<String, byte[]> compile(char tag, String accountSource) {
    return compile(tag, accountSource, Map.of());
  }

  /** As {@link #compile(char, String)}, with more sources of the app's package by class name. */
  static Map<String, byte[]> compile(char tag, String accountSource, Map<String, String> more) {
    Map<String, String> sources = new LinkedHashMap<>(more);
    sources.put("app.Main", resource("fixture/codecapp/Main.java"));
    sources.put("app.Codec", codec(tag));
    sources.put("app.Account", accountSource);
    if (accountSource.contains("AccountFormat")) {
      sources.put("app.AccountFormat", ACCOUNT_FORMAT);
    }
    return InMemoryCompiler.compile(sources, "--release", "17", "-g");
  }

  /** The root for the tests' files ({@code jlivepatch.it.work}). */
  static Path work() throws IOException {
    return Files.createDirectories(Path.of(System.getProperty("jlivepatch.it.work", "target/it-work")));
  }

  static Path dir(TestInfo test, Jdk jdk) throws IOException {
    return Files.createTempDirectory(work(), test.getTestMethod().orElseThrow().getName() + "-" + jdk.feature() + "-");
  }

  /** Compiles the app in a version and writes its class files to a new directory. */
  static Path classes(char tag, String accountSource, String name) throws IOException {
    return Fixtures.write(compile(tag, accountSource), Files.createTempDirectory(work(), name + "-"));
  }

  /** As {@link #classes(char, String, String)}, with more sources of the app's package by class name. */
  static Path classes(char tag, String accountSource, Map<String, String> more, String name) throws IOException {
    return Fixtures.write(compile(tag, accountSource, more), Files.createTempDirectory(work(), name + "-"));
  }

  /** Builds a payload with the real CLI from two class directories; fails the test if the build does. */
  static Cli.Run build(Path oldClasses, Path newClasses, String id, Path output, String... extra) {
    List<String> args = new ArrayList<>(List.of("build", "--old", oldClasses.toString(), "--new", newClasses.toString(),
        "--id", id, "-o", output.toString()));
    args.addAll(List.of(extra));
    Cli.Run build = Cli.run(args.toArray(String[]::new));
    if (build.exitCode() != 0) {
      throw new AssertionError("build of " + id + " failed: " + build);
    }
    return build;
  }

  static TargetJvm start(Jdk jdk, Path classPath, Path dir, String... options) throws Exception {
    jdk.assumePresent();
    return TargetJvm.start(jdk, classPath, dir.resolve("target"), options);
  }

  private static String resource(String name) {
    try (InputStream in = CodecApp.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + name + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
