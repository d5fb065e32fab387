package org.jlivepatch.bench.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A JDK to run targets and commands on: its {@code java} and feature version. */
record Jdk(String name, Path home, int feature) {

  Path java() {
    return home.resolve("bin/java");
  }

  /** JVM options every target gets: the dynamic agent warning off on JDK 21+ (JEP 451). */
  List<String> targetOptions() {
    List<String> options = new ArrayList<>();
    if (feature >= 21) {
      options.add("-XX:+EnableDynamicAgentLoading");
    }
    return options;
  }

  /** The JDK running the bench, and JDK 25 when installed ({@code JLIVEPATCH_JDK25} or the default path). */
  static List<Jdk> available() {
    List<Jdk> jdks = new ArrayList<>();
    jdks.add(new Jdk("JDK " + Runtime.version().feature(), Path.of(System.getProperty("java.home")),
        Runtime.version().feature()));
    String env = System.getenv("JLIVEPATCH_JDK25");
    Path jdk25 = Path.of(env != null ? env : "/usr/lib/jvm/temurin-25-jdk-amd64");
    if (Runtime.version().feature() != 25 && Files.isExecutable(jdk25.resolve("bin/java"))) {
      jdks.add(new Jdk("JDK 25", jdk25, 25));
    }
    return jdks;
  }
}
