package org.jlivepatch.bench.perf;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A target's {@code -Xlog:safepoint} file, read in slices: the safepoints logged between two
 * marks. Each line reads {@code Safepoint "OPERATION", Time since last: … Total: N ns}.
 */
final class SafepointLog {

  private static final Pattern LINE = Pattern.compile("Safepoint \"([A-Za-z0-9_]+)\".*?Total: (\\d+) ns");

  /** One safepoint: the VM operation it ran and how long the application was stopped. */
  record Safepoint(String operation, long totalNanos) {}

  private final Path file;
  private long mark;

  SafepointLog(Path file) {
    this.file = file;
  }

  /** Starts a new slice at the current end of the log. */
  void mark() throws IOException {
    mark = Files.exists(file) ? Files.size(file) : 0;
  }

  /** The safepoints logged since {@link #mark()}; waits briefly for the log to be written. */
  List<Safepoint> since() throws IOException, InterruptedException {
    Thread.sleep(150);
    List<Safepoint> safepoints = new ArrayList<>();
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      in.seek(mark);
      byte[] bytes = new byte[(int) (in.length() - mark)];
      in.readFully(bytes);
      Matcher m = LINE.matcher(new String(bytes, StandardCharsets.UTF_8));
      while (m.find()) {
        safepoints.add(new Safepoint(m.group(1), Long.parseLong(m.group(2))));
      }
    }
    return safepoints;
  }

  /** The time stopped in {@code RedefineClasses} operations, in microseconds. */
  static double redefineMicros(List<Safepoint> safepoints) {
    return safepoints.stream().filter(s -> s.operation().equals("RedefineClasses"))
        .mapToLong(Safepoint::totalNanos).sum() / 1e3;
  }

  /** The longest single {@code RedefineClasses} safepoint, in microseconds; 0 if none. */
  static double longestRedefineMicros(List<Safepoint> safepoints) {
    return safepoints.stream().filter(s -> s.operation().equals("RedefineClasses"))
        .mapToLong(Safepoint::totalNanos).max().orElse(0) / 1e3;
  }

  /** How many {@code RedefineClasses} safepoints. */
  static long redefineCount(List<Safepoint> safepoints) {
    return safepoints.stream().filter(s -> s.operation().equals("RedefineClasses")).count();
  }

  /** The time stopped in all safepoints, in microseconds. */
  static double allMicros(List<Safepoint> safepoints) {
    return safepoints.stream().mapToLong(Safepoint::totalNanos).sum() / 1e3;
  }
}
