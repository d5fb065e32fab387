package org.jlivepatch.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jlivepatch.cli.attach.AgentResult;
import org.jlivepatch.cli.attach.AgentResult.Straggler;
import org.jlivepatch.cli.attach.AgentResult.Transition;

/**
 * The CLI side of per-thread transitions: polling a pending command with {@code await} until its
 * final result, and the text and JSON forms of a transition and its stragglers.
 */
final class Transitions {

  /** How long one {@code await} may wait in the agent (the request's {@code wait}, ms). */
  static final long AWAIT_WAIT_MILLIS = 1000;
  /** The least time between two progress lines, unless the transition's state changes. */
  private static final long PROGRESS_EVERY_NANOS = Duration.ofSeconds(1).toNanos();
  /** The least time between two awaits, should the agent answer at once. */
  private static final long MIN_POLL_NANOS = Duration.ofMillis(200).toNanos();
  /** Stragglers named in a progress line; the rest are counted. */
  private static final int PROGRESS_NAMES = 3;

  private Transitions() {}

  /**
   * Polls with {@code command=await} while {@code result} is pending, and returns the first result
   * that is not.
   *
   * @param result the command's first answer
   * @param send sends one request to the agent (same attach session) and returns its answer
   * @param progress receives one line about the transition at most every second
   * @param nanoClock {@link System#nanoTime()}, or a test's clock
   * @param limit how long to poll at most (the agent enforces the transition timeout itself; this
   *     only bounds a CLI facing an agent that never finishes)
   * @param action what the command is, for messages: {@code apply of fix-1}
   * @param pid the target's pid, for messages
   * @return the final result; if it names no stragglers, the last ones a pending result named are
   *     not lost: see {@link #lastStragglers}
   * @throws CliException exit 1 when the transition is still pending after {@code limit}
   */
  static Polled awaitFinal(AgentResult result, Function<Map<String, String>, AgentResult> send,
      Consumer<String> progress, LongSupplier nanoClock, Duration limit, String action, long pid) {
    long start = nanoClock.getAsLong();
    long lastPrint = Long.MIN_VALUE;
    String lastState = "";
    List<Straggler> seen = List.of();
    AgentResult current = result;
    long commandId = result.commandId().orElse(0);
    if (result.pending() && commandId == 0) {
      throw new CliException(ExitCode.FAILURE, "JVM " + pid + ": the agent answered " + action
          + " as pending without the command's id; is the agent the same version as this jlivepatch?");
    }
    while (current.pending()) {
      long now = nanoClock.getAsLong();
      Optional<Transition> transition = current.transition();
      if (transition.isPresent()) {
        Transition t = transition.get();
        if (!t.stragglers().isEmpty()) {
          seen = t.stragglers();
        }
        if (lastPrint == Long.MIN_VALUE || now - lastPrint >= PROGRESS_EVERY_NANOS || !t.state().equals(lastState)) {
          progress.accept(action + ": " + progressLine(t));
          lastPrint = now;
          lastState = t.state();
        }
      }
      if (now - start > limit.toNanos()) {
        throw new CliException(ExitCode.FAILURE, "JVM " + pid + ": " + action + " still has a transition running after "
            + millis(limit.toMillis()) + "; the agent ends it by itself (completes or reverses it at its timeout): "
            + "check 'jlivepatch status " + pid + "'");
      }
      Map<String, String> await = new LinkedHashMap<>();
      await.put("command", "await");
      // The command this CLI started, not whichever one the agent ran last.
      await.put("command.id", Long.toString(commandId));
      await.put("wait", Long.toString(AWAIT_WAIT_MILLIS));
      await.put("user", AgentCommands.user());
      long sentAt = nanoClock.getAsLong();
      current = send.apply(await);
      long took = nanoClock.getAsLong() - sentAt;
      if (current.pending() && took < MIN_POLL_NANOS) {
        sleep(MIN_POLL_NANOS - took);
      }
    }
    return new Polled(current, seen);
  }

  /**
   * A command's final result.
   *
   * @param result the result without {@code pending=true}
   * @param lastStragglers the stragglers the last pending result that named any named
   */
  record Polled(AgentResult result, List<Straggler> lastStragglers) {

    /** The stragglers of the final result, else the last ones seen while polling. */
    List<Straggler> stragglers() {
      List<Straggler> fin = result.transition().map(Transition::stragglers).orElse(List.of());
      return fin.isEmpty() ? lastStragglers : fin;
    }
  }

  /**
   * One line of progress: {@code running 1.2s of 5s: 37/40 threads switched, 3 still in old code:
   * worker-2 at demo.Codec.encode(Codec.java:12), ...}.
   */
  static String progressLine(Transition t) {
    StringBuilder line = new StringBuilder(t.state().equals("reversing") ? "reversing the transition" : "transition " + t.state());
    t.elapsedMs().ifPresent(ms -> line.append(' ').append(millis(ms)));
    t.timeoutMs().ifPresent(ms -> line.append(" of ").append(millis(ms)));
    if (t.switched().isPresent() && t.threads().isPresent()) {
      line.append(": ").append(t.switched().getAsLong()).append('/').append(t.threads().getAsLong())
          .append(" threads switched");
    }
    if (!t.stragglers().isEmpty()) {
      line.append(", ").append(t.stragglers().size()).append(" still in old code: ");
      List<String> named = new ArrayList<>();
      for (Straggler s : t.stragglers().subList(0, Math.min(PROGRESS_NAMES, t.stragglers().size()))) {
        named.add(s.name() + " at " + s.frame());
      }
      line.append(String.join(", ", named));
      if (t.stragglers().size() > PROGRESS_NAMES) {
        line.append(", and ").append(t.stragglers().size() - PROGRESS_NAMES).append(" more");
      }
    }
    if (t.virtualThreads().equals("invisible")) {
      line.append(" (virtual threads not visible)");
    }
    return line.toString();
  }

  /** One line per straggler, {@code   worker-2 (id 31) at demo.Codec.encode(Codec.java:12)}. */
  static List<String> stragglerLines(List<Straggler> stragglers, String indent) {
    List<String> lines = new ArrayList<>();
    for (Straggler s : stragglers) {
      lines.add(indent + describe(s) + " at " + (s.frame().isBlank() ? "?" : s.frame()));
    }
    return lines;
  }

  /**
   * The warning for a forced transition: the threads that were still in old code, and what that risks.
   */
  static String forcedWarning(String action, List<Straggler> stragglers) {
    List<String> named = new ArrayList<>();
    for (Straggler s : stragglers) {
      named.add(describe(s) + " at " + (s.frame().isBlank() ? "?" : s.frame()));
    }
    return "warning: " + action + " was forced with " + stragglers.size() + " thread(s) still in old code: "
        + String.join(", ", named) + "; until those frames return, these threads may mix old and new "
        + "versions of the patch's methods in one call chain";
  }

  /** The text form of a transition for {@code status}: a summary, then every straggler with its stack. */
  static List<String> statusLines(Transition t) {
    List<String> lines = new ArrayList<>();
    String what = (t.command().isBlank() ? "command" : t.command()) + (t.patch().isBlank() ? "" : " of " + t.patch())
        + (t.consistency().isBlank() ? "" : " (" + t.consistency() + ")");
    if (!t.inProgress()) {
      String last = switch (t.state()) {
        case "completed", "reversed", "forced" -> " (the last one, " + what + ", " + t.state()
            + t.ms().stream().mapToObj(ms -> " in " + millis(ms)).findFirst().orElse("") + ")";
        default -> "";
      };
      lines.add("no transition in progress" + last);
      return lines;
    }
    StringBuilder head = new StringBuilder("transition: " + what + ", " + t.state());
    t.elapsedMs().ifPresent(ms -> head.append(' ').append(millis(ms)));
    t.timeoutMs().ifPresent(ms -> head.append(" of ").append(millis(ms)));
    if (!t.startedAt().isBlank()) {
      head.append(", started ").append(t.startedAt());
    }
    lines.add(head.toString());
    String threads = t.switched().isPresent() && t.threads().isPresent()
        ? t.switched().getAsLong() + " of " + t.threads().getAsLong() + " switched"
        : "?";
    lines.add("threads: " + threads + "; virtual threads: " + switch (t.virtualThreads()) {
      case "visible" -> "visible, counted";
      case "invisible" -> "not visible in this JVM, not counted";
      case "none" -> "none";
      default -> t.virtualThreads().isBlank() ? "?" : t.virtualThreads();
    });
    if (t.stragglers().isEmpty()) {
      lines.add("no thread still in old code");
    } else {
      lines.add("still in old code (" + t.stragglers().size() + "):");
      for (Straggler s : t.stragglers()) {
        lines.add("  " + describe(s) + " at " + (s.frame().isBlank() ? "?" : s.frame()));
        s.stack().forEach(frame -> lines.add("      at " + frame));
      }
    }
    return lines;
  }

  /** The {@code transition} JSON object; null for a result without transition keys. */
  static Map<String, Object> json(Optional<Transition> transition) {
    return transition.map(Transitions::json).orElse(null);
  }

  static Map<String, Object> json(Transition t) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("state", t.state());
    json.put("command", emptyToNull(t.command()));
    json.put("patch", emptyToNull(t.patch()));
    json.put("consistency", emptyToNull(t.consistency()));
    json.put("startedAt", emptyToNull(t.startedAt()));
    json.put("elapsedMs", boxed(t.elapsedMs()));
    json.put("timeoutMs", boxed(t.timeoutMs()));
    json.put("ms", boxed(t.ms()));
    json.put("threads", boxed(t.threads()));
    json.put("switched", boxed(t.switched()));
    json.put("virtualThreads", emptyToNull(t.virtualThreads()));
    json.put("stragglers", stragglersJson(t.stragglers()));
    return json;
  }

  static List<Map<String, Object>> stragglersJson(List<Straggler> stragglers) {
    List<Map<String, Object>> json = new ArrayList<>();
    for (Straggler s : stragglers) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", s.name());
      entry.put("id", s.id() < 0 ? null : s.id());
      entry.put("virtual", s.virtual());
      entry.put("frame", s.frame());
      entry.put("stack", s.stack());
      json.add(entry);
    }
    return json;
  }

  /** {@code 850 ms}, {@code 1.2s}, {@code 5s}. */
  static String millis(long ms) {
    if (ms < 1000) {
      return ms + " ms";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
  }

  private static String describe(Straggler s) {
    String name = s.name().isBlank() ? "(unnamed)" : s.name();
    String id = s.id() < 0 ? "" : "id " + s.id();
    String kind = s.virtual() ? "virtual" : "";
    String extra = String.join(", ", List.of(id, kind).stream().filter(x -> !x.isEmpty()).toList());
    return extra.isEmpty() ? name : name + " (" + extra + ")";
  }

  private static Object emptyToNull(String text) {
    return text.isBlank() ? null : text;
  }

  private static Long boxed(OptionalLong value) {
    return value.isPresent() ? value.getAsLong() : null;
  }

  private static void sleep(long nanos) {
    try {
      Thread.sleep(Duration.ofNanos(nanos).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.FAILURE, "interrupted while waiting for a transition");
    }
  }
}
