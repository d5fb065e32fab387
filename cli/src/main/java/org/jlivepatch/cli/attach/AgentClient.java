package org.jlivepatch.cli.attach;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jlivepatch.cli.CliException;
import org.jlivepatch.cli.ExitCode;
import org.jlivepatch.cli.Timing;
import org.jlivepatch.core.payload.PropertiesText;

/**
 * The CLI side of the agent protocol (docs/agent-protocol.md): attaches to a target JVM, reads its
 * system properties, and runs one command in it by loading the agent with a request file.
 *
 * <p>Every failure is a {@link CliException} with one line that names the JVM and what went wrong.
 * Each step is bounded in time; a target that does not answer does not hang the CLI.
 */
public final class AgentClient {

  /** How long attaching, or reading the target's system properties, may take. */
  public static final Duration ATTACH_TIMEOUT = Duration.ofSeconds(20);
  /** How much longer than the agent's own timeout to wait for its answer (hooks, redefinition). */
  public static final Duration ANSWER_GRACE = Duration.ofSeconds(60);
  /** How long a target whose connection broke may take to be gone before it counts as still running. */
  private static final Duration EXIT_GRACE = Duration.ofMillis(1500);

  private final Consumer<String> progress;

  /** @param progress receives a line before each step that can be slow (attach, agent load) */
  public AgentClient(Consumer<String> progress) {
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /**
   * Attaches to {@code jvm}.
   *
   * @param timeout the most time attaching may take
   * @throws CliException exit 1 when the JVM cannot be attached to or is gone
   */
  public Session attach(LocalJvm jvm, Duration timeout) {
    long startedAt = System.currentTimeMillis();
    progress.accept("attaching to JVM " + jvm.describe() + "...");
    ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "jlivepatch-attach-" + jvm.pid());
      thread.setDaemon(true); // a target that never answers must not keep the CLI alive
      return thread;
    });
    try {
      VirtualMachine vm = bounded(executor, jvm, timeout, "attach", () -> {
        // The JDK waits 100 ms before it first looks for a listener it just started; this looks sooner.
        AttachStarter.start(jvm.pid());
        return VirtualMachine.attach(Long.toString(jvm.pid()));
      });
      Timing.mark("attached");
      return new Session(jvm, vm, executor, startedAt);
    } catch (RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
  }

  /**
   * A payload to send with a request. It is written into the request's private directory, so the
   * agent reads exactly these bytes.
   *
   * @param displayName how the user named the file; the agent's messages are rewritten to use it
   * @param fileName the name to give the copy
   * @param bytes the content
   */
  public record Upload(String displayName, String fileName, byte[] bytes) {
    public Upload {
      Objects.requireNonNull(displayName, "displayName");
      Objects.requireNonNull(fileName, "fileName");
      Objects.requireNonNull(bytes, "bytes");
    }
  }

  /** An attachment to one JVM; closing it detaches. */
  public final class Session implements AutoCloseable {

    private final LocalJvm jvm;
    private final VirtualMachine vm;
    private final ExecutorService executor;
    private final long startedAt;
    /** An operation timed out and still occupies the session's thread: detaching would wait behind it. */
    private boolean stuck;
    /** Whether a request was sent already: later ones count their queueing from their own start. */
    private boolean sent;

    private Session(LocalJvm jvm, VirtualMachine vm, ExecutorService executor, long startedAt) {
      this.jvm = jvm;
      this.vm = vm;
      this.executor = executor;
      this.startedAt = startedAt;
    }

    /** The JVM attached to. */
    public LocalJvm jvm() {
      return jvm;
    }

    /**
     * The target's system properties, read through the attach mechanism without loading an agent.
     *
     * @throws CliException exit 4 when the target does not answer in time (it runs attach
     *     operations one at a time, so another command in progress holds this one up), exit 1
     *     when it is gone
     */
    public Properties systemProperties(Duration timeout) {
      try {
        return bounded(executor, jvm, timeout, "reading system properties", vm::getSystemProperties);
      } catch (CliException e) {
        stuck = true;
        throw e;
      }
    }

    /**
     * Runs one command in the target: writes the request into a private directory, loads the
     * agent with it and returns the agent's result.
     *
     * @param agentJar the agent jar to load
     * @param request the request properties; {@code protocol} is added
     * @param payload the payload to send as {@code payload}, or null
     * @param timeout how long the agent may wait (sent as {@code timeout}); the CLI waits
     *     {@link #ANSWER_GRACE} longer for its answer
     * @throws CliException exit 1 when the agent cannot be loaded, gives no result or the target exits
     */
    public AgentResult send(Path agentJar, Map<String, String> request, Upload payload, Duration timeout) {
      Path dir = null;
      try {
        dir = Files.createTempDirectory("jlivepatch-", PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
        Properties properties = new Properties();
        properties.setProperty("protocol", Integer.toString(AgentResult.PROTOCOL));
        properties.putAll(request);
        properties.setProperty("timeout", Long.toString(timeout.toMillis()));
        if (Timing.enabled()) {
          properties.setProperty("timing", "true");
        }
        // The JVM runs attach operations one at a time: the agent counts time queued behind
        // another command against the timeout, from the start of this one (the first request of
        // a session from before the attach; a later one, such as an await, from now).
        properties.setProperty("requestedAt", Long.toString(sent ? System.currentTimeMillis() : startedAt));
        sent = true;
        Path copy = null;
        if (payload != null) {
          copy = dir.resolve(safeFileName(payload.fileName()));
          Files.write(copy, payload.bytes());
          properties.setProperty("payload", copy.toString());
        }
        Path requestFile = dir.resolve("request.properties");
        Map<String, String> text = new java.util.HashMap<>();
        for (String key : properties.stringPropertyNames()) {
          text.put(key, properties.getProperty(key));
        }
        Files.write(requestFile, PropertiesText.write(text));
        AgentResult result = load(agentJar, requestFile, dir.resolve("result.properties"), timeout.plus(ANSWER_GRACE));
        return copy == null ? result : result.withMessage(result.message().replace(copy.toString(), payload.displayName()));
      } catch (IOException e) {
        throw new CliException(ExitCode.FAILURE, "cannot write the request for JVM " + jvm.pid() + " or read its result: " + e.getMessage(), e);
      } finally {
        if (dir != null) {
          deleteQuietly(dir);
        }
      }
    }

    private AgentResult load(Path agentJar, Path requestFile, Path resultFile, Duration wait) throws IOException {
      progress.accept("loading the jlivepatch agent into JVM " + jvm.pid() + "...");
      Timing.mark("loading the agent");
      Throwable loadFailure = null;
      try {
        bounded(executor, jvm, wait, "the command", () -> {
          vm.loadAgent(agentJar.toString(), "request=" + requestFile);
          return null;
        });
      } catch (AgentFailure e) {
        loadFailure = e.getCause();
      } catch (CliException e) {
        stuck = true;
        throw e;
      }
      Timing.mark("agent returned");
      // The agent writes its result even when it reports a failure by throwing.
      if (Files.isRegularFile(resultFile)) {
        Properties properties = properties(resultFile);
        Timing.agent(properties.getProperty("timing", ""));
        try {
          return AgentResult.parse(properties);
        } catch (IllegalArgumentException e) {
          throw new CliException(ExitCode.FAILURE, "JVM " + jvm.pid() + ": " + e.getMessage());
        }
      }
      if (loadFailure != null) {
        throw loadFailureMessage(loadFailure, agentJar);
      }
      throw new CliException(ExitCode.FAILURE, "the agent in JVM " + jvm.pid() + " returned without a result; "
          + "is " + agentJar + " a jlivepatch agent speaking protocol " + AgentResult.PROTOCOL + "?");
    }

    private Properties properties(Path file) throws IOException {
      Properties properties = new Properties();
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        properties.load(reader);
      }
      return properties;
    }

    private CliException loadFailureMessage(Throwable failure, Path agentJar) {
      if (!alive(jvm)) {
        return exited(jvm);
      }
      String message = String.valueOf(failure.getMessage());
      if (failure instanceof AgentLoadException && message.contains("EnableDynamicAgentLoading")) {
        return new CliException(ExitCode.FAILURE, "JVM " + jvm.pid() + " does not allow loading an agent at run time "
            + "(-XX:-EnableDynamicAgentLoading): restart it with -XX:+EnableDynamicAgentLoading, "
            + "or with the agent at startup (-javaagent:jlivepatch-agent.jar=patches=DIR)", failure);
      }
      if (failure instanceof AgentInitializationException) {
        return new CliException(ExitCode.FAILURE, "the jlivepatch agent failed in JVM " + jvm.pid()
            + " without a result (see the target's standard error): " + message, failure);
      }
      if (failure instanceof AgentLoadException) {
        return new CliException(ExitCode.FAILURE, "JVM " + jvm.pid() + " could not load the agent " + agentJar + ": " + message, failure);
      }
      return new CliException(ExitCode.FAILURE, "lost the connection to JVM " + jvm.pid() + " during the command ("
          + message + "); check its patch stack with 'jlivepatch list " + jvm.pid() + "'", failure);
    }

    /** Detaches; never fails. */
    @Override
    public void close() {
      if (stuck) {
        executor.shutdownNow(); // the connection closes when the stuck operation ends, or with the CLI
        return;
      }
      try {
        executor.submit(() -> {
          vm.detach();
          return null;
        }).get(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        // the target is gone or stuck; nothing is left to release on this side
      } finally {
        executor.shutdownNow();
      }
    }
  }

  /** A failure of the agent load itself, whose result file may still say what happened. */
  private static final class AgentFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AgentFailure(Throwable cause) {
      super(cause);
    }
  }

  /**
   * Runs {@code action} on the session's thread and waits at most {@code timeout}. Attach
   * failures become {@link CliException}s; agent load failures become {@link AgentFailure}s.
   */
  private static <T> T bounded(ExecutorService executor, LocalJvm jvm, Duration timeout, String what, Callable<T> action) {
    Future<T> future = executor.submit(action);
    try {
      return future.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      if (!alive(jvm)) {
        throw exited(jvm);
      }
      if (what.equals("the command")) {
        throw new CliException(ExitCode.FAILURE, "no answer from the agent in JVM " + jvm.pid() + " within "
            + seconds(timeout) + "; the command may still complete: check 'jlivepatch list " + jvm.pid() + "'");
      }
      if (what.equals("attach")) {
        throw new CliException(ExitCode.FAILURE, "JVM " + jvm.describe() + " did not answer the attach request within "
            + seconds(timeout) + "; it may be suspended or overloaded");
      }
      throw new CliException(ExitCode.RETRY, "JVM " + jvm.describe() + " did not answer (" + what + ") within "
          + seconds(timeout) + ": it runs one attach operation at a time and another (jlivepatch command?) "
          + "is in progress; nothing changed, try again later");
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.FAILURE, "interrupted while waiting for JVM " + jvm.pid(), e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof AgentLoadException || cause instanceof AgentInitializationException) {
        throw new AgentFailure(cause);
      }
      if (what.equals("the command") && cause instanceof IOException) {
        throw new AgentFailure(cause);
      }
      throw attachFailure(jvm, what, cause);
    }
  }

  private static CliException attachFailure(LocalJvm jvm, String what, Throwable cause) {
    if (!alive(jvm)) {
      return what.equals("attach")
          ? new CliException(ExitCode.FAILURE, "JVM " + jvm.pid() + " exited before it could be attached to", cause)
          : exited(jvm);
    }
    String message = String.valueOf(cause.getMessage());
    if (cause instanceof AttachNotSupportedException && message.contains("does not support the attach mechanism")) {
      return new CliException(ExitCode.FAILURE, "JVM " + jvm.describe()
          + " does not accept attach (started with -XX:+DisableAttachMechanism)", cause);
    }
    return new CliException(ExitCode.FAILURE, "cannot attach to JVM " + jvm.describe() + " (" + what + "): " + message, cause);
  }

  private static CliException exited(LocalJvm jvm) {
    return new CliException(ExitCode.FAILURE, "target JVM " + jvm.pid()
        + " exited during the command; its patches and state ended with it");
  }

  /**
   * Whether the target still runs, after a short grace: a JVM that halts closes its attach
   * connection a moment before its process is gone.
   */
  private static boolean alive(LocalJvm jvm) {
    Optional<ProcessHandle> process = ProcessHandle.of(jvm.pid());
    if (process.isEmpty()) {
      return false;
    }
    try {
      process.get().onExit().get(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      return false;
    } catch (TimeoutException stillRunning) {
      return true;
    } catch (ExecutionException e) {
      return process.get().isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return process.get().isAlive();
    }
  }

  /** The payload copy's name: the user's file name when it is a plain {@code *.jlp} name. */
  private static String safeFileName(String name) {
    return name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,200}\\.jlp") ? name : "payload.jlp";
  }

  private static String seconds(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
  }

  private static void deleteQuietly(Path dir) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a private temp directory left behind is harmless
    }
  }
}
