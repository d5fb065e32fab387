package org.jlivepatch.agent.rt;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jlivepatch.core.Version;
import org.jlivepatch.core.payload.PropertiesText;

/**
 * Executes one request of the agent protocol (docs/agent-protocol.md): reads
 * {@code request.properties}, runs the command under the command lock, and writes
 * {@code result.properties} beside it.
 */
final class RequestHandler {

  /** The protocol version this agent speaks. */
  static final String PROTOCOL = "1";
  /** Waiting for the command lock when the request names no timeout. */
  static final long DEFAULT_TIMEOUT_MILLIS = 30_000;

  private final AgentRuntime runtime;

  RequestHandler(AgentRuntime runtime) {
    this.runtime = runtime;
  }

  /**
   * Handles {@code request=PATH}; writes a result for every request it can read.
   *
   * @param enteredNanos when the JVM entered the agent; {@code readyNanos} when its runtime was
   *     ready (both {@link System#nanoTime()}), for the marks of a request with {@code timing=true}
   */
  void handle(String options, long enteredNanos, long readyNanos) throws IOException {
    if (!options.startsWith("request=")) {
      runtime.audit().warning("attached without a request (options '" + options + "'); nothing to do");
      return;
    }
    Path requestFile = Path.of(options.substring("request=".length()));
    Properties request = new Properties();
    try (Reader in = Files.newBufferedReader(requestFile, StandardCharsets.UTF_8)) {
      request.load(in);
    }
    boolean timed = request.getProperty("timing", "").equals("true");
    if (timed) {
      Marks.begin(enteredNanos);
      Marks.markAt("agent ready", readyNanos);
      Marks.mark("request read");
    }
    Properties result = execute(request, requestFile);
    if (timed) {
      Marks.mark("answered");
      result.setProperty("timing", Marks.end());
    }
    write(result, requestFile.resolveSibling("result.properties"));
  }

  /**
   * Runs a request. A change runs on a thread of its own: the answer waits for it, except that a
   * per-thread switch still in transition after {@link #FIRST_ANSWER_MILLIS} is answered with
   * {@code pending=true}, and the CLI asks again with {@code await}. Status and await never wait
   * for the command lock.
   */
  Properties execute(Properties request, Path requestFile) {
    String command = request.getProperty("command", "");
    if (command.equals("status") || command.equals("await")) {
      return observe(request, command);
    }
    if (!isChange(command)) {
      return executeNow(request, requestFile);
    }
    CompletableFuture<Properties> done = new CompletableFuture<>();
    Thread worker = new Thread(() -> {
      try {
        done.complete(executeNow(request, requestFile));
      } catch (Throwable t) {
        done.completeExceptionally(t);
      }
    }, "jlivepatch-" + command);
    worker.setDaemon(true);
    long commandId = runtime.commands().started(done);
    worker.start();
    boolean perThread = !"immediate".equals(request.getProperty("consistency", "per-thread").trim());
    return await(done, commandId, perThread ? FIRST_ANSWER_MILLIS : Long.MAX_VALUE);
  }

  /** How long the answer to a per-thread change waits before it says {@code pending=true}. */
  static final long FIRST_ANSWER_MILLIS = 1_500;

  /**
   * The finished result of command {@code commandId}, or a pending answer with the transition's
   * status after {@code millis}; both carry the id, which {@code await} names.
   */
  private Properties await(CompletableFuture<Properties> done, long commandId, long millis) {
    Properties answer = await(done, millis);
    answer.setProperty("command.id", Long.toString(commandId));
    return answer;
  }

  private Properties await(CompletableFuture<Properties> done, long millis) {
    try {
      return (Properties) (millis == Long.MAX_VALUE ? done.get() : done.get(millis, TimeUnit.MILLISECONDS)).clone();
    } catch (TimeoutException e) {
      Properties result = header();
      result.setProperty("exitCode", "0");
      result.setProperty("pending", "true");
      result.setProperty("message", "transition in progress");
      runtime.transitions().putStatus(result);
      putStack(result);
      return result;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failure("interrupted while waiting for the command");
    } catch (ExecutionException e) {
      return failure("internal error in the agent: " + e.getCause());
    }
  }

  /** {@code status} and {@code await}: the transition in progress, or the last change's final result. */
  private Properties observe(Properties request, String command) {
    if (command.equals("await")) {
      long commandId;
      long wait;
      try {
        commandId = Long.parseLong(request.getProperty("command.id", "").trim());
        wait = Math.max(0, Math.min(60_000, Long.parseLong(request.getProperty("wait", "1000").trim())));
      } catch (NumberFormatException e) {
        return failure("await needs command.id (the id a pending answer gave) and wait (ms) as numbers: command.id='"
            + request.getProperty("command.id", "") + "', wait='" + request.getProperty("wait", "") + "'");
      }
      CompletableFuture<Properties> awaited = runtime.commands().get(commandId);
      if (awaited == null) {
        return failure("no command " + commandId + " in this agent: its answer is kept for the last "
            + Commands.KEPT + " commands only; check 'jlivepatch list' and 'jlivepatch status'");
      }
      return await(awaited, commandId, wait);
    }
    Properties result = header();
    result.setProperty("exitCode", "0");
    result.setProperty("message", runtime.transitions().describe());
    runtime.transitions().putStatus(result);
    putStack(result);
    return result;
  }

  private Properties header() {
    Properties result = new Properties();
    result.setProperty("protocol", PROTOCOL);
    result.setProperty("agent.version", Version.current());
    result.setProperty("jdk", System.getProperty("java.runtime.version", ""));
    return result;
  }

  private Properties failure(String message) {
    Properties result = header();
    result.setProperty("exitCode", "1");
    result.setProperty("step", "agent");
    result.setProperty("message", message);
    return result;
  }

  private Properties executeNow(Properties request, Path requestFile) {
    String command = request.getProperty("command", "");
    String user = request.getProperty("user", "");
    Properties result = header();
    String id = request.getProperty("id", "");
    try {
      if (!PROTOCOL.equals(request.getProperty("protocol"))) {
        throw CommandException.failed("payload", "unsupported protocol version '" + request.getProperty("protocol")
            + "'; this agent speaks version " + PROTOCOL);
      }
      long timeout = timeout(request);
      long waited = queued(request, requestFile);
      if (waited > timeout) {
        // The JVM runs attach requests one at a time: this one waited behind another command.
        throw new CommandException(CommandException.RETRY, "busy", "another patch command was running in this JVM;"
            + " this one waited " + waited + " ms, longer than its timeout of " + timeout + " ms; retry later");
      }
      CommandResult done = switch (command) {
        case "apply", "replace" -> {
          PatchEngine.SwitchOptions options = switchOptions(request);
          Path payload = Path.of(request.getProperty("payload", ""));
          yield runtime.locked(timeout - waited, () -> {
            Incoming incoming = runtime.payloads().read(payload);
            Marks.mark("payload checked");
            result.setProperty("patch.id", incoming.patch().id());
            return command.equals("apply")
                ? runtime.engine().apply(incoming, user, true, options)
                : runtime.engine().replace(incoming, user, options);
          });
        }
        case "revert" -> {
          PatchEngine.SwitchOptions options = switchOptions(request);
          yield runtime.locked(timeout - waited, () -> runtime.engine().revert(id, user, options));
        }
        case "list" -> runtime.locked(timeout - waited,
            () -> new CommandResult(runtime.stack().entries().size() + " patch(es) applied", "", "", List.of()));
        default -> throw CommandException.failed("payload", "unknown command '" + command
            + "'; expected apply, revert, replace, list, status or await");
      };
      result.setProperty("exitCode", "0");
      result.setProperty("message", done.message());
      if (!done.patchId().isEmpty()) {
        result.setProperty("patch.id", done.patchId());
        result.setProperty("patch.signer", done.signer());
      }
      putClasses(result, done.classes());
      Marks.mark("command done");
      runtime.transitions().putReport(result, runtime.engine().takeTransition());
      if (isChange(command)) {
        runtime.audit().record(user, command, done.patchId(), 0, done.message());
      }
    } catch (CommandException e) {
      result.setProperty("exitCode", Integer.toString(e.exitCode()));
      result.setProperty("step", e.step());
      result.setProperty("message", e.getMessage());
      String patchId = result.getProperty("patch.id", id);
      runtime.audit().record(user, command, patchId, e.exitCode(), e.step() + ": " + e.getMessage());
    } catch (RuntimeException | LinkageError e) {
      result.setProperty("exitCode", "1");
      result.setProperty("step", "agent");
      result.setProperty("message", "internal error in the agent: " + e + "; nothing changed");
      runtime.audit().record(user, command, result.getProperty("patch.id", id), 1, "internal error: " + e);
    }
    if (result.getProperty("step", "").equals("consistency")) {
      runtime.transitions().putLastStragglers(result);
    }
    putStack(result);
    if (command.equals("list")) {
      putAudit(result);
    }
    return result;
  }

  private static boolean isChange(String command) {
    return command.equals("apply") || command.equals("revert") || command.equals("replace");
  }

  /** The consistency model, transition timeout and force flag a change asks for. */
  private static PatchEngine.SwitchOptions switchOptions(Properties request) throws CommandException {
    String consistency = request.getProperty("consistency", "").trim();
    boolean perThread;
    if (consistency.isEmpty() || consistency.equals("per-thread")) {
      perThread = true;
    } else if (consistency.equals("immediate")) {
      perThread = false;
    } else {
      throw CommandException.usage("unknown consistency model '" + consistency + "': use per-thread or immediate");
    }
    String force = request.getProperty("force", "false").trim();
    if (!force.equals("true") && !force.equals("false") && !force.isEmpty()) {
      throw CommandException.usage("force=" + force + " is not true or false");
    }
    if (force.equals("true") && !perThread) {
      throw CommandException.usage("force only applies to a per-thread transition; consistency is immediate");
    }
    long timeout = DEFAULT_TRANSITION_MILLIS;
    String value = request.getProperty("transitionTimeout", "").trim();
    if (!value.isEmpty()) {
      try {
        timeout = Long.parseLong(value);
      } catch (NumberFormatException e) {
        timeout = -1;
      }
      if (timeout <= 0) {
        throw CommandException.usage("transitionTimeout '" + value + "' is not a positive number of milliseconds");
      }
    }
    return new PatchEngine.SwitchOptions(perThread, timeout, force.equals("true"));
  }

  /** How long a per-thread transition may take when the request names no {@code transitionTimeout}. */
  static final long DEFAULT_TRANSITION_MILLIS = 5_000;

  private static long timeout(Properties request) throws CommandException {
    String value = request.getProperty("timeout", "");
    if (value.isEmpty()) {
      return DEFAULT_TIMEOUT_MILLIS;
    }
    try {
      return Math.max(0, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      throw CommandException.failed("busy", "timeout '" + value + "' is not a number of milliseconds");
    }
  }

  /** How long the request waited before the JVM ran it: since {@code requestedAt}, else the file's time. */
  private static long queued(Properties request, Path requestFile) {
    try {
      String requestedAt = request.getProperty("requestedAt", "");
      long since = requestedAt.isEmpty()
          ? Files.getLastModifiedTime(requestFile).toMillis()
          : Long.parseLong(requestedAt.trim());
      return Math.max(0, System.currentTimeMillis() - since);
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  private static void putClasses(Properties result, List<ClassOutcome> classes) {
    for (int i = 0; i < classes.size(); i++) {
      ClassOutcome outcome = classes.get(i);
      result.setProperty("class." + i + ".name", outcome.name());
      result.setProperty("class." + i + ".loader", outcome.loader());
      result.setProperty("class." + i + ".state", outcome.state());
    }
  }

  private void putStack(Properties result) {
    List<PatchStackMXBean.StackEntry> entries = AgentRuntime.describe(runtime.stack());
    for (int i = 0; i < entries.size(); i++) {
      PatchStackMXBean.StackEntry entry = entries.get(i);
      String prefix = "stack." + i + ".";
      result.setProperty(prefix + "id", entry.getId());
      result.setProperty(prefix + "depends", entry.getDepends());
      result.setProperty(prefix + "appliedAt", entry.getAppliedAt());
      result.setProperty(prefix + "user", entry.getUser());
      result.setProperty(prefix + "signer", entry.getSigner());
      result.setProperty(prefix + "classes", String.join(",", entry.getClasses()));
      result.setProperty(prefix + "pending", String.join(",", entry.getPending()));
    }
  }

  private void putAudit(Properties result) {
    List<Audit.Entry> entries = runtime.audit().entries();
    for (int i = 0; i < entries.size(); i++) {
      Audit.Entry entry = entries.get(i);
      String prefix = "audit." + i + ".";
      result.setProperty(prefix + "time", entry.time().toString());
      result.setProperty(prefix + "user", entry.user());
      result.setProperty(prefix + "action", entry.action());
      result.setProperty(prefix + "id", entry.id());
      result.setProperty(prefix + "result", entry.result());
      result.setProperty(prefix + "message", entry.message());
    }
  }

  /** Writes to a temporary name, then renames, so the CLI never reads half a result. */
  private static void write(Properties result, Path target) throws IOException {
    Path temporary = target.resolveSibling("result.properties.tmp");
    Map<String, String> text = new HashMap<>();
    for (String key : result.stringPropertyNames()) {
      text.put(key, result.getProperty(key));
    }
    Files.write(temporary, PropertiesText.write(text));
    try {
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

}
