package org.jlivepatch.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.provider.Arguments;

/**
 * A JDK the targets run on. JDK 17 is the one running the tests (or {@code JLIVEPATCH_JDK17});
 * JDK 25 is {@code JLIVEPATCH_JDK25} or the first {@code /usr/lib/jvm/*25*} with a java launcher.
 *
 * @param feature the Java feature version
 * @param home the JDK's home, or null when absent on this machine
 */
record Jdk(int feature, Path home) {

  /** The JDKs every forked-JVM test runs on, for {@code @MethodSource}. */
  static Stream<Arguments> all() {
    return Stream.of(Arguments.of(find(17)), Arguments.of(find(25)));
  }

  /** Aborts the test, visibly, when this JDK is not on the machine. */
  void assumePresent() {
    if (home == null) {
      String message = "JDK " + feature + " not found (set JLIVEPATCH_JDK" + feature
          + " or install one under /usr/lib/jvm): test skipped";
      System.err.println("[jlivepatch-it] SKIPPED: " + message);
      Assumptions.abort(message);
    }
  }

  Path java() {
    return home.resolve("bin/java");
  }

  @Override
  public String toString() {
    return "JDK " + feature;
  }

  static Jdk find(int feature) {
    String env = System.getenv("JLIVEPATCH_JDK" + feature);
    if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env, "bin/java"))) {
      return new Jdk(feature, Path.of(env));
    }
    if (Runtime.version().feature() == feature) {
      return new Jdk(feature, Path.of(System.getProperty("java.home")));
    }
    return new Jdk(feature, underUsrLibJvm(feature).orElse(null));
  }

  private static Optional<Path> underUsrLibJvm(int feature) {
    Path root = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> homes = Files.list(root)) {
      return homes
          .filter(p -> p.getFileName().toString().matches(".*(-|jdk)" + feature + "([.-].*)?"))
          .filter(p -> Files.isExecutable(p.resolve("bin/java")))
          .sorted(Comparator.comparing(Path::toString))
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
