package org.jlivepatch.bench.perf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Child processes: long-running targets, and timed commands whose output lines are time-stamped. */
final class Proc {

  private Proc() {}

  /** A target JVM whose standard output is read line by line; standard error goes to a file. */
  static final class Target implements AutoCloseable {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Target(List<String> command, Path stderr) throws IOException {
      process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = in.readLine()) != null; ) {
            lines.add(line);
          }
        } catch (IOException e) {
          // gone
        }
      }, "target-out");
      reader.setDaemon(true);
      reader.start();
    }

    /** Waits for a line starting with {@code prefix} and returns the rest of it. */
    String await(String prefix, long seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null && line.startsWith(prefix)) {
          return line.substring(prefix.length()).trim();
        }
        if (line == null && !process.isAlive()) {
          throw new IllegalStateException("target exited with " + process.exitValue());
        }
      }
      throw new IllegalStateException("target printed no '" + prefix + "' within " + seconds + " s");
    }

    long pid() {
      return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  /** A finished command: exit code, wall time, and each output line with when it arrived (ms after start). */
  record Run(int exit, double wallMs, List<Line> lines) {
    record Line(double atMs, String text) {}

    /** When the first line containing {@code text} arrived, or NaN. */
    double at(String text) {
      return lines.stream().filter(l -> l.text().contains(text)).mapToDouble(Line::atMs).findFirst().orElse(Double.NaN);
    }

    String output() {
      StringBuilder out = new StringBuilder();
      lines.forEach(l -> out.append(l.text()).append('\n'));
      return out.toString();
    }
  }

  /** Runs {@code command} to completion (at most {@code seconds}), timing it from just before the start. */
  static Run run(List<String> command, long seconds) throws IOException, InterruptedException {
    List<Run.Line> lines = new ArrayList<>();
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    process.getOutputStream().close();
    Thread reader = new Thread(() -> read(process.getInputStream(), start, lines), "command-out");
    reader.start();
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new IllegalStateException("command did not finish within " + seconds + " s: " + command);
    }
    double wall = (System.nanoTime() - start) / 1e6;
    reader.join(5000);
    synchronized (lines) {
      return new Run(process.exitValue(), wall, List.copyOf(lines));
    }
  }

  private static void read(InputStream stream, long start, List<Run.Line> lines) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        synchronized (lines) {
          lines.add(new Run.Line((System.nanoTime() - start) / 1e6, line));
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  /** Runs a command that must succeed. */
  static Run check(List<String> command, long seconds) throws IOException, InterruptedException {
    Run run = run(command, seconds);
    if (run.exit() != 0) {
      throw new IllegalStateException("exit " + run.exit() + " from " + command + ":\n" + run.output());
    }
    return run;
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
