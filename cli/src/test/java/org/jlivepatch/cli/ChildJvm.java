package org.jlivepatch.cli;

import com.sun.tools.attach.VirtualMachine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jlivepatch.core.testing.InMemoryCompiler;

/** A JVM forked for a test: a main class that sleeps, attachable once {@link #start} returns. */
final class ChildJvm implements AutoCloseable {

  /** JDK 25, when installed, to prove the commands against a JDK 21+ target. */
  static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

  private final Process process;
  private final String mainClass;

  private ChildJvm(Process process, String mainClass) {
    this.process = process;
    this.mainClass = mainClass;
  }

  /** A main class name no other JVM on this machine has, so that name lookups are exact. */
  static String uniqueMainClass() {
    return "jlpclitest.Sleeper" + Long.toString(System.nanoTime(), 36);
  }

  /** Compiles {@code mainClass} into {@code dir} and starts it on the test's own JDK. */
  static ChildJvm start(Path dir, String mainClass, String... jvmOptions) throws IOException {
    return start(Path.of(System.getProperty("java.home")), dir, mainClass, jvmOptions);
  }

  /** Compiles {@code mainClass} into {@code dir} and starts it on the JDK at {@code javaHome}. */
  static ChildJvm start(Path javaHome, Path dir, String mainClass, String... jvmOptions) throws IOException {
    int dot = mainClass.lastIndexOf('.');
    String source = "package " + mainClass.substring(0, dot) + "; public class " + mainClass.substring(dot + 1) + " {\n"
        + "  public static void main(String[] args) throws Exception {\n"
        + "    System.out.println(\"ready\"); System.out.flush(); Thread.sleep(300_000);\n"
        + "  }\n"
        + "}\n";
    byte[] bytes = InMemoryCompiler.compile(Map.of(mainClass, source), "--release", "17").get(mainClass);
    Path classFile = dir.resolve(mainClass.replace('.', '/') + ".class");
    Files.createDirectories(classFile.getParent());
    Files.write(classFile, bytes);
    List<String> command = new ArrayList<>();
    command.add(javaHome.resolve("bin/java").toString());
    command.add("-Xshare:auto");
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-cp", dir.toString(), mainClass));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    ChildJvm child = new ChildJvm(process, mainClass);
    try {
      child.awaitReady(jvmOptions);
    } catch (IOException | RuntimeException e) {
      child.close();
      throw e;
    }
    return child;
  }

  private void awaitReady(String... jvmOptions) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    StringBuilder output = new StringBuilder();
    while ((line = reader.readLine()) != null && !line.equals("ready")) {
      output.append(line).append('\n');
    }
    if (line == null) {
      throw new IOException("child JVM ended before it was ready: " + output);
    }
    // drain the rest (e.g. the dynamic agent warning) so the child never blocks on a full pipe
    Thread drain = new Thread(() -> {
      try {
        reader.transferTo(java.io.Writer.nullWriter());
      } catch (IOException e) {
        // the child is gone
      }
    });
    drain.setDaemon(true);
    drain.start();
    if (List.of(jvmOptions).contains("-XX:+DisableAttachMechanism")) {
      return; // never listed by the attach mechanism
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (VirtualMachine.list().stream().noneMatch(d -> d.id().equals(Long.toString(pid())))) {
      if (System.nanoTime() > deadline) {
        throw new IOException("child JVM " + pid() + " did not become attachable");
      }
      sleep(50);
    }
  }

  long pid() {
    return process.pid();
  }

  String mainClass() {
    return mainClass;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
