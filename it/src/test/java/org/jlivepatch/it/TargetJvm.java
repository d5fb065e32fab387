package org.jlivepatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A forked target JVM running the fixture app: one command per line on its standard input, one
 * answer per line on its standard output. Its standard error and its class-redefinition log
 * ({@code -Xlog:redefine+class+load}) go to files the tests read.
 */
final class TargetJvm implements AutoCloseable {

  private static final long ANSWER_SECONDS = 30;

  private final Process process;
  private final PrintWriter stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Path stderr;
  private final Path redefineLog;
  private final long pid;

  private TargetJvm(Process process, Path stderr, Path redefineLog) throws InterruptedException {
    this.process = process;
    this.stderr = stderr;
    this.redefineLog = redefineLog;
    this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the process is gone
      }
    }, "target-stdout-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    String ready = lines.poll(ANSWER_SECONDS, TimeUnit.SECONDS);
    while (ready != null && !ready.startsWith("ready ")) {
      ready = lines.poll(ANSWER_SECONDS, TimeUnit.SECONDS); // JVM messages such as JFR's start notice
    }
    if (ready == null) {
      process.destroyForcibly();
      throw new IllegalStateException("target did not start: " + ready + "; stderr: " + readQuietly(stderr));
    }
    this.pid = Long.parseLong(ready.substring("ready ".length()).trim());
  }

  /** Starts the fixture app on {@code jdk} with extra JVM options. */
  static TargetJvm start(Jdk jdk, Path classes, Path workDir, String... jvmOptions) throws Exception {
    Files.createDirectories(workDir);
    Path stderr = workDir.resolve("stderr.txt");
    Path redefineLog = workDir.resolve("redefine.log");
    List<String> command = new ArrayList<>();
    command.add(jdk.java().toString());
    command.add("-Xmx96m");
    command.add("-XX:+UseSerialGC");
    if (jdk.feature() >= 21) {
      command.add("-XX:+EnableDynamicAgentLoading");
    }
    command.add("-Xlog:redefine+class+load=info:file=" + redefineLog);
    command.addAll(List.of(jvmOptions));
    command.add("-cp");
    command.add(classes.toString());
    command.add("app.Main");
    Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    return new TargetJvm(process, stderr, redefineLog);
  }

  long pid() {
    return pid;
  }

  String pidText() {
    return Long.toString(pid);
  }

  /** Sends a command and returns the app's answer without the echoed command word. */
  String ask(String command) throws InterruptedException {
    String word = command.split(" ")[0];
    stdin.println(command);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_SECONDS);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(200, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith(word + " ")) {
        return line.substring(word.length() + 1);
      }
      if (line == null && !process.isAlive()) {
        throw new IllegalStateException("target exited with " + process.exitValue() + "; stderr: " + readQuietly(stderr));
      }
    }
    throw new IllegalStateException("no answer to '" + command + "' within " + ANSWER_SECONDS + " s");
  }

  /** What the target wrote on standard error so far: its log, including the agent's audit lines. */
  String stderr() {
    return readQuietly(stderr);
  }

  /** The lines of {@code -Xlog:redefine+class+load} that record a redefinition of {@code className}. */
  List<String> redefinitions(String className) {
    return readQuietly(redefineLog).lines()
        .filter(l -> l.contains("redefined name=" + className + ","))
        .toList();
  }

  boolean waitForExit(long seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stdin.println("exit");
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  static String readQuietly(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  static void assertAlive(TargetJvm target) {
    assertThat(target.process.isAlive()).as("target alive").isTrue();
  }
}
