package org.jlivepatch.agent.rt;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import jdk.jfr.FlightRecorder;

/**
 * Records every apply, revert, replace and refusal three ways: a JFR event, a line in the JVM's
 * log ({@link System.Logger} {@code org.jlivepatch.agent}) and an in-memory log that
 * {@code list} returns.
 */
final class Audit {

  /** One audit record. */
  record Entry(Instant time, String user, String action, String id, String result, String message) {}

  /** The in-memory log keeps this many records, dropping the oldest. */
  static final int CAPACITY = 500;

  private final Deque<Entry> entries = new ArrayDeque<>();
  private volatile Logger logger;

  /** Records the outcome of a command or a load-time patch. */
  void record(String user, String action, String id, int exitCode, String message) {
    String result = switch (exitCode) {
      case 0 -> "done";
      case CommandException.REFUSED, CommandException.USAGE -> "refused";
      case CommandException.RETRY -> "busy";
      default -> "failed";
    };
    Entry entry = new Entry(Instant.now(), user, action, id, result, message);
    synchronized (entries) {
      if (entries.size() == CAPACITY) {
        entries.removeFirst();
      }
      entries.addLast(entry);
    }
    // Only where Flight Recorder runs: the event class's first use starts JFR's machinery, some 300
    // classes, and every later redefinition in the JVM walks every loaded class.
    if (FlightRecorder.isInitialized()) {
      PatchCommandEvent event = new PatchCommandEvent();
      if (event.isEnabled()) {
        event.action = action;
        event.patchId = id;
        event.user = user;
        event.result = result;
        event.exitCode = exitCode;
        event.message = message;
        event.commit();
      }
    }
    Level level = exitCode == 0 ? Level.INFO : Level.WARNING;
    String line = "jlivepatch: " + action + " " + (id.isEmpty() ? "" : id + " ") + result + " (user " + user + "): " + message;
    // From the audit thread: the first log line starts the logging backend (tens of ms, with a
    // time-zone database read), which the command's caller should not wait for.
    deferred.execute(() -> log(level, line));
  }

  /**
   * Records from inside a class-load transformer: the JFR event and in-memory entry now, the log
   * line from a daemon thread, so that no logging backend initialises during class loading.
   */
  void recordFromClassLoad(String user, String action, String id, int exitCode, String message) {
    deferred.execute(() -> record(user, action, id, exitCode, message));
  }

  // A bare ThreadPoolExecutor, not Executors.newSingleThreadExecutor: its wrapper classes are new
  // implementations of ExecutorService, which deoptimise a running service's compiled code that
  // inlined its own executor's calls (see AgentRuntime's lock).
  private final Executor deferred = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
      new LinkedBlockingQueue<>(), r -> {
        Thread thread = new Thread(r, "jlivepatch-audit");
        thread.setDaemon(true);
        return thread;
      });

  /** A line written by a patch's hook. */
  void hookLog(String patchId, String message) {
    log(Level.INFO, "jlivepatch: hook of " + patchId + ": " + message);
  }

  /** A line about the agent itself. */
  void info(String message) {
    log(Level.INFO, "jlivepatch: " + message);
  }

  /** A problem the agent survived. */
  void warning(String message) {
    log(Level.WARNING, "jlivepatch: " + message);
  }

  /** A warning from inside a transformer, logged from the audit thread (see {@link #recordFromClassLoad}). */
  void warningLater(String message) {
    deferred.execute(() -> warning(message));
  }

  /** The in-memory log, oldest first. */
  List<Entry> entries() {
    synchronized (entries) {
      return new ArrayList<>(entries);
    }
  }

  private void log(Level level, String line) {
    try {
      Logger current = logger;
      if (current == null) {
        // Looked up on first use, not at agent start, so that an application that configures its
        // logging backend early in main() is not pre-empted by a -javaagent.
        current = System.getLogger("org.jlivepatch.agent");
        logger = current;
      }
      current.log(level, line);
    } catch (RuntimeException | LinkageError e) {
      System.err.println(line);
    }
  }
}
