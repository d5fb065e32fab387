package org.jlivepatch.agent.rt;

import java.lang.instrument.Instrumentation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.jlivepatch.core.model.Guard;

/**
 * Runs per-thread transitions for the engine, one at a time, and answers {@code status} about the
 * one in progress (or the last one) from any thread, without waiting for it.
 */
final class TransitionRunner {

  private final Instrumentation instrumentation;
  private final RunningBytes runningBytes;
  private final LiveThreads liveThreads;
  private final Audit audit;
  private volatile Transition current;

  TransitionRunner(Instrumentation instrumentation, RunningBytes runningBytes, Audit audit) {
    this.instrumentation = instrumentation;
    this.runningBytes = runningBytes;
    this.liveThreads = new LiveThreads(instrumentation);
    this.audit = audit;
  }

  /** The transitions of one switch, as the {@link Switcher} runs them. */
  Switcher.Transitions forSwitch(String label, PatchEngine.SwitchOptions options, List<Guard> guards) {
    return (generation, methods, versions, installGated) ->
        run(label, options, guards, generation, methods, versions, installGated);
  }

  private Switcher.TransitionEnd run(String label, PatchEngine.SwitchOptions options, List<Guard> guards,
      Generation generation, Map<Class<?>, Set<String>> methods, Map<Class<?>, List<byte[]>> versions,
      Switcher.Install installGated) throws CommandException {
    String[] words = label.split(" ");
    List<GatedMethod> gated = new ArrayList<>();
    methods.forEach((type, keys) -> keys.forEach(key -> {
      int paren = key.indexOf('(');
      gated.add(new GatedMethod(type, key.substring(0, paren), key.substring(paren)));
    }));
    Transition transition = new Transition(words[0], words[words.length - 1], gated, guards,
        guardSites(guards, versions), Duration.ofMillis(options.timeoutMillis()), options.force(), liveThreads);
    generation.setGates(transition::gate);
    try {
      installGated.run();
    } catch (CommandException | RuntimeException e) {
      transition.cancel();
      throw e;
    }
    transition.start();
    current = transition;
    // A reversed transition reports no stragglers; the message names those that held it while it ran.
    List<String> held = List.of();
    TransitionStatus end = transition.await(Duration.ofMillis(100));
    while (!end.state().finished()) {
      if (end.state() == TransitionState.RUNNING && !end.stragglers().isEmpty()) {
        held = end.stragglers().stream().map(TransitionRunner::describe).toList();
      }
      end = transition.await(Duration.ofMillis(100));
    }
    List<String> left = end.stragglers().stream().map(TransitionRunner::describe).toList();
    return switch (end.state()) {
      case COMPLETED -> new Switcher.TransitionEnd(true, false, end.elapsedMillis(), end.threads(), List.of(), "");
      case FORCED -> {
        audit.warning(label + ": transition forced after " + end.elapsedMillis() + " ms with " + left.size()
            + " thread(s) still in old code, which may mix old and new code of the patch: " + String.join("; ", left));
        yield new Switcher.TransitionEnd(true, true, end.elapsedMillis(), end.threads(), left, "");
      }
      default -> new Switcher.TransitionEnd(false, false, end.elapsedMillis(), end.threads(), left,
          "the per-thread transition did not complete within " + options.timeoutMillis() + " ms and was reversed ("
              + (held.isEmpty() ? "threads stayed in the old code"
                  : "still in the old code at the timeout: " + String.join("; ", held))
              + "); retry later, or use --force");
    };
  }

  /**
   * The free calls of the guards' loaded classes, analysed in every class file each may run during
   * the transition: for a class the switch changes, the running and the gated one; for any other,
   * the running one. A class that cannot be read gets none: its guard frames hold.
   */
  private GuardSites guardSites(List<Guard> guards, Map<Class<?>, List<byte[]>> switched) {
    if (guards.isEmpty()) {
      return GuardSites.NONE;
    }
    Map<String, List<String>> keysByClass = new HashMap<>();
    for (Guard g : guards) {
      keysByClass.computeIfAbsent(g.className().replace('/', '.'), k -> new ArrayList<>())
          .add(g.method() + g.descriptor());
    }
    Map<Class<?>, List<byte[]>> versions = new HashMap<>();
    Map<Class<?>, Collection<String>> keys = new HashMap<>();
    for (Class<?> type : instrumentation.getAllLoadedClasses()) {
      List<String> methods = keysByClass.get(type.getName());
      if (methods == null || type.isArray()) {
        continue;
      }
      List<byte[]> files = switched.get(type);
      if (files == null) {
        try {
          files = List.of(runningBytes.capture(type));
        } catch (CommandException | RuntimeException e) {
          continue; // unknown code: its frames hold
        }
      }
      versions.put(type, files);
      keys.put(type, methods);
    }
    return GuardSites.of(versions, keys);
  }

  private static String describe(Straggler straggler) {
    return straggler.name() + (straggler.frame() == null ? "" : " at " + straggler.frame());
  }

  /** One line about the transition in progress or the last one. */
  String describe() {
    Transition transition = current;
    if (transition == null) {
      return "no transition in progress";
    }
    TransitionStatus status = transition.status();
    return (status.state().finished() ? "no transition in progress; last: " : "transition in progress: ")
        + status.command() + " " + status.patchId() + " " + status.state().label() + ", " + status.switched() + "/"
        + status.threads() + " threads switched";
  }

  /** Puts the {@code transition.*} status keys of docs/agent-protocol.md. */
  void putStatus(Properties result) {
    Transition transition = current;
    if (transition == null) {
      result.setProperty("transition.state", "none");
      result.setProperty("transition.virtualThreads", liveThreads.virtualThreads());
      return;
    }
    TransitionStatus status = transition.status();
    result.setProperty("transition.state", status.state().label());
    result.setProperty("transition.command", status.command());
    result.setProperty("transition.patch", status.patchId());
    result.setProperty("transition.consistency", "per-thread");
    if (status.startedAt() != null) {
      result.setProperty("transition.startedAt", status.startedAt().toString());
    }
    result.setProperty("transition.elapsedMs", Long.toString(status.elapsedMillis()));
    result.setProperty("transition.timeoutMs", Long.toString(status.timeoutMillis()));
    result.setProperty("transition.threads", Integer.toString(status.threads()));
    result.setProperty("transition.switched", Integer.toString(status.switched()));
    result.setProperty("transition.virtualThreads", status.virtualThreads().label());
    if (status.overdue()) {
      result.setProperty("transition.overdue", "true");
    }
    putStragglers(result, status.stragglers());
  }

  /** After a reversed transition: the threads that held it at the last look. */
  void putLastStragglers(Properties result) {
    Transition transition = current;
    if (transition != null && !transition.status().stragglers().isEmpty()) {
      putStragglers(result, transition.status().stragglers());
    }
  }

  /** The summary keys of a finished command's transition. */
  void putReport(Properties result, Switcher.TransitionReport report) {
    if (report == Switcher.TransitionReport.NONE) {
      return;
    }
    result.setProperty("transition.ms", Long.toString(report.millis()));
    result.setProperty("transition.switched", Integer.toString(report.threads()));
    result.setProperty("transition.state", report.forced() ? "forced" : "completed");
    if (report.forced()) {
      putLastStragglers(result);
    }
  }

  private static void putStragglers(Properties result, List<Straggler> stragglers) {
    for (int i = 0; i < stragglers.size(); i++) {
      Straggler straggler = stragglers.get(i);
      String prefix = "transition.straggler." + i + ".";
      result.setProperty(prefix + "name", straggler.name());
      result.setProperty(prefix + "id", Long.toString(straggler.id()));
      result.setProperty(prefix + "virtual", Boolean.toString(straggler.virtual()));
      result.setProperty(prefix + "frame", straggler.frame() == null ? "" : straggler.frame());
      result.setProperty(prefix + "stack", straggler.stackText());
    }
  }
}
