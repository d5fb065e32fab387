package org.jlivepatch.agent.rt;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Properties;
import org.jlivepatch.core.Version;

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

  /** Handles {@code request=PATH}; writes a result for every request it can read. */
  void handle(String options) throws IOException {
    if (!options.startsWith("request=")) {
      runtime.audit().warning("attached without a request (options '" + options + "'); nothing to do");
      return;
    }
    Path requestFile = Path.of(options.substring("request=".length()));
    Properties request = new Properties();
    try (Reader in = Files.newBufferedReader(requestFile, StandardCharsets.UTF_8)) {
      request.load(in);
    }
    Properties result = execute(request, requestFile);
    write(result, requestFile.resolveSibling("result.properties"));
  }

  Properties execute(Properties request, Path requestFile) {
    String command = request.getProperty("command", "");
    String user = request.getProperty("user", "");
    Properties result = new Properties();
    result.setProperty("protocol", PROTOCOL);
    result.setProperty("agent.version", Version.current());
    result.setProperty("jdk", System.getProperty("java.runtime.version", ""));
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
          checkConsistency(request, command);
          Path payload = Path.of(request.getProperty("payload", ""));
          yield runtime.locked(timeout - waited, () -> {
            Incoming incoming = runtime.payloads().read(payload);
            result.setProperty("patch.id", incoming.patch().id());
            return command.equals("apply")
                ? runtime.engine().apply(incoming, user, true)
                : runtime.engine().replace(incoming, user);
          });
        }
        case "revert" -> runtime.locked(timeout - waited, () -> runtime.engine().revert(id, user));
        case "list", "status" -> runtime.locked(timeout - waited,
            () -> new CommandResult(runtime.stack().entries().size() + " patch(es) applied", "", "", List.of()));
        default -> throw CommandException.failed("payload", "unknown command '" + command
            + "'; expected apply, revert, replace, list or status");
      };
      result.setProperty("exitCode", "0");
      result.setProperty("message", done.message());
      if (!done.patchId().isEmpty()) {
        result.setProperty("patch.id", done.patchId());
        result.setProperty("patch.signer", done.signer());
      }
      putClasses(result, done.classes());
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
    putStack(result);
    if (command.equals("list") || command.equals("status")) {
      putAudit(result);
    }
    return result;
  }

  private static boolean isChange(String command) {
    return command.equals("apply") || command.equals("revert") || command.equals("replace");
  }

  /**
   * Refuses what this agent cannot honour rather than ignore it: a consistency model other than
   * {@code immediate}, and {@code force} (which only means something for per-thread consistency).
   */
  private static void checkConsistency(Properties request, String command) throws CommandException {
    String consistency = request.getProperty("consistency", "immediate").trim();
    if (!consistency.isEmpty() && !consistency.equals("immediate")) {
      throw CommandException.usage("consistency model '" + consistency + "' is not supported by this agent"
          + " (version " + Version.current() + "), which switches every thread at once; use immediate");
    }
    String force = request.getProperty("force", "").trim();
    if (!force.isEmpty() && !force.equals("false")) {
      throw CommandException.usage("force=" + force + " is not supported by this agent: it has no transition to"
          + " force, every " + command + " switches all threads at once; send the request without force");
    }
  }

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
    try (OutputStream out = Files.newOutputStream(temporary);
        Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
      result.store(writer, "jlivepatch agent result");
    }
    try {
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

}
