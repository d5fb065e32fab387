package org.jlivepatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A fix whose moved bodies create lambdas of every form javac emits: non-capturing (one instance),
 * capturing (this, a field, a local), method references to an added private method, to a JDK
 * method and to a constructor, a generic interface whose bridge javac puts in the sub-interface, an
 * intersection whose bridge only the lambda's class can hold ({@code altMetafactory} with
 * FLAG_BRIDGES and FLAG_MARKERS) and a marker interface. Applied live
 * on real forked JVMs (JDK 17 and 25, per-thread and immediate), observed, reverted and applied
 * again. The lambdas' classes are jlivepatch's own (hidden, named after the patched class), not the
 * JDK's, which would keep each apply's hidden class loaded as long as the application's loader.
 */
class LambdaFixTest {

  /** The interfaces the fix adds: generic, erasing to other types, and a marker. */
  static final String SHAPES = """
      package app;
      interface Named<T> { Object name(T t); }
      interface Upper extends Named<String> { String name(String s); }
      interface Plain { Object name(String s); }
      interface Chars { CharSequence name(String s); }
      interface Tagged {}
      """;

  static final String ACCOUNT_LAMBDAS = """
      package app;
      import java.util.List;
      import java.util.function.Function;
      import java.util.function.Supplier;
      import java.util.stream.Collectors;
      public final class Account {
        private final String name;
        public Account(String name) { this.name = name; }
        public String describe() {
          Supplier<String> upper = this::upper;
          Function<String, String> mine = s -> s + "@" + name;
          return mine.apply(upper.get());
        }
        private String upper() { return name.toUpperCase(); }
        public static String report(List<String> names) {
          String sep = names.size() > 2 ? ";" : "+";
          Supplier<String> none = () -> "r:";
          Function<String, Integer> length = String::length;
          Function<String, StringBuilder> builder = StringBuilder::new;
          Chars both = (Chars & Plain) n -> n + sep;
          Upper upper = String::toUpperCase;
          Named<String> generic = upper;
          Runnable marked = (Runnable & Tagged) () -> { };
          return none.get() + names.stream().map(n -> "<" + n + ">").collect(Collectors.joining(sep))
              + " " + names.stream().map(length).map(String::valueOf).collect(Collectors.joining())
              + " " + builder.apply(names.get(0)).reverse()
              + " " + both.name("c") + ((Plain) both).name("o") + generic.name("g") + " " + (marked instanceof Tagged)
              + " " + (same() == same() ? "one" : "many")
              + " " + both.getClass().isHidden() + " " + both.getClass().getName().startsWith("app.Account$$JlpLambda/");
        }
        private static Supplier<String> same() { return () -> "r:"; }
      }
      """;

  /** A fix whose moved body creates a serializable lambda. */
  static final String ACCOUNT_SERIALIZABLE = CodecApp.ACCOUNT.replace(
      "public String describe() { return \"account \" + name; }",
      "public String describe() { java.util.function.Supplier<String> s = (java.util.function.Supplier<String> & "
          + "java.io.Serializable) () -> \"serial \" + name; return s.get(); }");

  static Path oldClasses;
  static Path fixClasses;
  static Path serializableClasses;

  @BeforeAll
  static void compile() throws Exception {
    oldClasses = CodecApp.classes('A', CodecApp.ACCOUNT, "lambda-old");
    fixClasses = CodecApp.classes('A', ACCOUNT_LAMBDAS, Map.of("app.Shapes", SHAPES), "lambda-fix");
    serializableClasses = CodecApp.classes('A', ACCOUNT_SERIALIZABLE, "lambda-serializable");
  }

  static Stream<Arguments> jdksAndModels() {
    return TrampolineFixTest.jdksAndModels();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("jdksAndModels")
  void everyLambdaFormJavacEmitsWorksLiveAndReverts(Jdk jdk, String consistency, TestInfo test) throws Exception {
    Path dir = CodecApp.dir(test, jdk);
    Path fix = dir.resolve("fix.jlp");
    CodecApp.build(oldClasses, fixClasses, "lambdas", fix);
    try (TargetJvm target = CodecApp.start(jdk, oldClasses, dir)) {
      String pid = target.pidText();
      assertThat(target.ask("accounts a")).isEqualTo("created 1");
      assertThat(target.ask("describe a")).isEqualTo("account a");
      assertThat(target.ask("report xy z")).isEqualTo("xy,z");

      for (int round = 0; round < 2; round++) {
        TrampolineFixTest.apply(pid, fix, consistency);
        assertThat(target.ask("describe a")).isEqualTo("A@a");
        assertThat(target.ask("report xy z")).isEqualTo("r:<xy>+<z> 21 yx c+o+G true one true true");
        assertThat(target.ask("report x y z")).isEqualTo("r:<x>;<y>;<z> 111 x c;o;G true one true true");
        TrampolineFixTest.revert(pid, "lambdas", consistency);
        assertThat(target.ask("describe a")).isEqualTo("account a");
        assertThat(target.ask("report xy z")).isEqualTo("xy,z");
      }
      TargetJvm.assertAlive(target);
    }
  }

  /**
   * A serializable lambda cannot run from the hidden class: the build refuses it with the way out
   * (the agent refuses such a payload as well, before anything changes: LambdaProxiesTest).
   */
  @Test
  void aSerializableLambdaIsRefusedAtBuildWithTheWayOut(@TempDir Path dir) {
    Cli.Run build = Cli.run("build", "--old", oldClasses.toString(), "--new", serializableClasses.toString(),
        "--id", "serial", "-o", dir.resolve("serial.jlp").toString());
    assertThat(build.exitCode()).as(build.toString()).isEqualTo(3);
    assertThat(build.toString()).contains("app.Account", "describe", "serializable lambda",
        "use a named class implementing the interface instead");
    assertThat(dir.resolve("serial.jlp")).doesNotExist();
  }
}
