package org.jlivepatch.agent.rt;

import java.lang.instrument.ClassDefinition;
import java.lang.instrument.Instrumentation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jlivepatch.agent.rt.Hooks.Phase;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.splice.ClassSplicer;

/**
 * Applies, reverts and replaces patches: the checks in the design's order, then one
 * {@code redefineClasses} call. Every failure before the switch leaves the target untouched; a
 * failure after it (a post hook) switches the classes back. Callers hold the command lock.
 */
final class PatchEngine {

  /** One class definition to switch: the class, what runs now, and the patch class for it. */
  private record Target(Class<?> type, PatchedClass patchedClass, byte[] running) {}

  private final Instrumentation instrumentation;
  private final RunningBytes runningBytes;
  private final PatchStack stack;
  private final Audit audit;
  private long redefineNanos;

  PatchEngine(Instrumentation instrumentation, RunningBytes runningBytes, PatchStack stack, Audit audit) {
    this.instrumentation = instrumentation;
    this.runningBytes = runningBytes;
    this.stack = stack;
    this.audit = audit;
  }

  /** Applies a patch on top of the stack. */
  CommandResult apply(Incoming incoming, String user) throws CommandException {
    Patch patch = incoming.patch();
    checkCapabilities(patch);
    Map<String, List<Class<?>>> loaded = resolve(names(patch));
    List<ClassOutcome> outcomes = new ArrayList<>();
    List<Target> targets = matchExpectations(patch, loaded, Map.of(), outcomes);
    checkStack(patch, false);
    List<Hooks.Bound> hooks = Hooks.bind(patch, byLoader(targets), audit);
    Hooks.run(hooks, Phase.PRE_APPLY);

    Map<Class<?>, byte[]> before = new LinkedHashMap<>();
    Map<Class<?>, byte[]> after = new LinkedHashMap<>();
    for (Target target : targets) {
      before.put(target.type(), target.running());
      after.put(target.type(), spliced(target));
    }
    redefine(after, "redefine", "nothing changed");
    try {
      Hooks.run(hooks, Phase.POST_APPLY);
    } catch (CommandException e) {
      rollBack(before, e);
    }
    List<InstalledClass> installed = new ArrayList<>();
    after.forEach((type, bytes) -> installed.add(
        new InstalledClass(type.getName(), type.getClassLoader(), before.get(type), bytes)));
    AppliedPatch applied = new AppliedPatch(patch, incoming.signer(), incoming.contentHash(), Instant.now(), user,
        installed, hooks);
    stack.push(applied);
    return new CommandResult(summary("applied", patch, outcomes) + timings(), patch.id(), incoming.signer(), outcomes);
  }

  /** Reverts the top of the stack, which must be {@code id}. */
  CommandResult revert(String id, String user) throws CommandException {
    AppliedPatch top = stack.top().orElseThrow(
        () -> CommandException.refused("stack", "patch " + id + " is not applied: the patch stack is empty"));
    if (!top.id().equals(id)) {
      boolean onStack = stack.entries().stream().anyMatch(p -> p.id().equals(id));
      throw CommandException.refused("stack", onStack
          ? "patch " + id + " is not the top of the stack; revert " + top.id() + " (the top) first"
          : "patch " + id + " is not applied; the top of the stack is " + top.id());
    }
    Map<String, List<Class<?>>> loaded = resolve(top.installed().stream().map(InstalledClass::name).toList());
    Map<Class<?>, byte[]> restore = new LinkedHashMap<>();
    Map<Class<?>, byte[]> current = new LinkedHashMap<>();
    List<ClassOutcome> outcomes = new ArrayList<>();
    for (InstalledClass installed : top.installed()) {
      Optional<Class<?>> type = find(loaded, installed);
      if (type.isEmpty()) {
        continue;
      }
      byte[] running = runningBytes.capture(type.get());
      PatchedClass patchedClass = top.patch().patchedClass(installed.name()).orElseThrow();
      Optional<String> changed = Expectations.firstMismatch(Fingerprints.ofClass(running), patchedClass,
          type.get().getClassLoader(), true);
      if (changed.isPresent()) {
        throw CommandException.refused("expectation", changed.get());
      }
      restore.put(type.get(), installed.before());
      current.put(type.get(), running);
      outcomes.add(new ClassOutcome(installed.name(), installed.loaderDescription(), "reverted"));
    }
    Hooks.run(top.hooks(), Phase.PRE_REVERT);
    redefine(restore, "redefine", "nothing changed");
    try {
      Hooks.run(top.hooks(), Phase.POST_REVERT);
    } catch (CommandException e) {
      rollBack(current, e);
    }
    stack.pop();
    return new CommandResult("reverted " + top.id() + " (" + outcomes.size() + " class definition(s) restored)" + timings(),
        top.id(), top.signer(), outcomes);
  }

  /** Swaps the whole stack for one cumulative patch, in one redefinition. */
  CommandResult replace(Incoming incoming, String user) throws CommandException {
    if (stack.entries().isEmpty()) {
      return apply(incoming, user);
    }
    Patch patch = incoming.patch();
    checkCapabilities(patch);
    List<AppliedPatch> old = stack.entries();
    Set<String> names = new LinkedHashSet<>(names(patch));
    old.forEach(p -> p.installed().forEach(i -> names.add(i.name())));
    Map<String, List<Class<?>>> loaded = resolve(names);

    // The state below the stack, and what the stack runs now, per class definition.
    Map<Class<?>, byte[]> bottom = new IdentityHashMap<>();
    Map<Class<?>, byte[]> top = new IdentityHashMap<>();
    for (AppliedPatch applied : old) {
      for (InstalledClass installed : applied.installed()) {
        find(loaded, installed).ifPresent(type -> {
          bottom.putIfAbsent(type, installed.before());
          top.put(type, installed.after());
        });
      }
    }
    Map<Class<?>, byte[]> current = new LinkedHashMap<>();
    for (Map.Entry<Class<?>, byte[]> entry : top.entrySet()) {
      byte[] running = runningBytes.capture(entry.getKey());
      if (!Fingerprints.ofClass(running).equals(Fingerprints.ofClass(entry.getValue()))) {
        throw CommandException.refused("expectation", "class " + entry.getKey().getName() + " in loader "
            + Loaders.describe(entry.getKey().getClassLoader()) + " was changed since the stack's patches were applied");
      }
      current.put(entry.getKey(), running);
    }
    List<ClassOutcome> outcomes = new ArrayList<>();
    List<Target> targets = matchExpectations(patch, loaded, bottom, outcomes);
    checkStack(patch, true);

    List<Hooks.Bound> hooks = Hooks.bind(patch, byLoader(targets), audit);
    for (int i = old.size() - 1; i >= 0; i--) {
      Hooks.run(old.get(i).hooks(), Phase.PRE_REVERT);
    }
    Hooks.run(hooks, Phase.PRE_APPLY);

    Map<Class<?>, byte[]> next = new LinkedHashMap<>();
    Map<Class<?>, byte[]> previous = new LinkedHashMap<>(current);
    bottom.forEach(next::put);
    Map<Class<?>, byte[]> base = new IdentityHashMap<>();
    for (Target target : targets) {
      next.put(target.type(), spliced(target));
      base.put(target.type(), target.running());
      previous.putIfAbsent(target.type(), target.running());
    }
    redefine(next, "redefine", "nothing changed, the old stack stays");
    try {
      for (int i = old.size() - 1; i >= 0; i--) {
        Hooks.run(old.get(i).hooks(), Phase.POST_REVERT);
      }
      Hooks.run(hooks, Phase.POST_APPLY);
    } catch (CommandException e) {
      rollBack(previous, e);
    }
    List<InstalledClass> installed = new ArrayList<>();
    for (Target target : targets) {
      installed.add(new InstalledClass(target.type().getName(), target.type().getClassLoader(),
          base.get(target.type()), next.get(target.type())));
    }
    stack.replaceAll(new AppliedPatch(patch, incoming.signer(), incoming.contentHash(), Instant.now(), user,
        installed, hooks));
    String replaced = String.join(",", old.stream().map(AppliedPatch::id).toList());
    return new CommandResult(summary("replaced " + replaced + " with", patch, outcomes) + timings(), patch.id(),
        incoming.signer(), outcomes);
  }

  /** Starts a command's timings afresh. */
  void resetTimings() {
    runningBytes.takeCaptureNanos();
    redefineNanos = 0;
  }

  /** The time spent reading running bytes and in the redefinition, for the result message. */
  private String timings() {
    long capture = runningBytes.takeCaptureNanos();
    long redefine = redefineNanos;
    redefineNanos = 0;
    return String.format(java.util.Locale.ROOT, " [running code read in %.2f ms, switched in %.2f ms]",
        capture / 1e6, redefine / 1e6);
  }

  // ---- checks

  private void checkCapabilities(Patch patch) throws CommandException {
    if (!instrumentation.isRedefineClassesSupported() || !instrumentation.isRetransformClassesSupported()) {
      throw CommandException.refused("capabilities", "this JVM does not support class redefinition and retransformation");
    }
    int feature = Runtime.version().feature();
    if (feature < patch.minJavaVersion()) {
      throw CommandException.refused("capabilities", "patch " + patch.id() + " needs Java " + patch.minJavaVersion()
          + " or later; the target runs Java " + Runtime.version());
    }
  }

  /** Every loaded class with one of {@code names}, by name, across all class loaders. */
  private Map<String, List<Class<?>>> resolve(Collection<String> names) throws CommandException {
    Map<String, List<Class<?>>> result = new LinkedHashMap<>();
    names.forEach(n -> result.put(n, new ArrayList<>()));
    for (Class<?> type : instrumentation.getAllLoadedClasses()) {
      List<Class<?>> sameName = result.get(type.getName());
      if (sameName != null && !type.isArray()) {
        if (!instrumentation.isModifiableClass(type)) {
          throw CommandException.refused("resolve", "class " + type.getName() + " in loader "
              + Loaders.describe(type.getClassLoader()) + " cannot be modified by this JVM");
        }
        sameName.add(type);
      }
    }
    return result;
  }

  /**
   * Check 4 over every loaded definition of every patched class: definitions that match become
   * targets, the others are reported and left alone; a class loaded somewhere but matching nowhere
   * refuses the patch.
   *
   * @param base bytes to check instead of the running ones (replace: the state below the stack)
   */
  private List<Target> matchExpectations(Patch patch, Map<String, List<Class<?>>> loaded, Map<Class<?>, byte[]> base,
      List<ClassOutcome> outcomes) throws CommandException {
    List<Target> targets = new ArrayList<>();
    for (PatchedClass patchedClass : patch.classes()) {
      List<Class<?>> definitions = loaded.getOrDefault(patchedClass.name(), List.of());
      if (definitions.isEmpty()) {
        outcomes.add(new ClassOutcome(patchedClass.name(), "", "pending"));
        continue;
      }
      String firstMismatch = null;
      int matched = 0;
      for (Class<?> type : definitions) {
        byte[] running = base.containsKey(type) ? base.get(type) : currentBytes(type);
        Optional<String> mismatch = Expectations.firstMismatch(running, patchedClass, type.getClassLoader());
        String loader = Loaders.describe(type.getClassLoader());
        if (mismatch.isPresent()) {
          outcomes.add(new ClassOutcome(patchedClass.name(), loader, "mismatch"));
          firstMismatch = firstMismatch == null ? mismatch.get() : firstMismatch;
        } else {
          targets.add(new Target(type, patchedClass, running));
          outcomes.add(new ClassOutcome(patchedClass.name(), loader, "applied"));
          matched++;
        }
      }
      if (matched == 0) {
        throw CommandException.refused("expectation", "patch " + patch.id() + " refused: " + firstMismatch);
      }
    }
    return targets;
  }

  /**
   * The class file to check and splice into: the JVM's running bytes, or the exact bytes this
   * agent installed when they are still what runs (they keep debug information the JVM drops).
   */
  private byte[] currentBytes(Class<?> type) throws CommandException {
    byte[] running = runningBytes.capture(type);
    List<AppliedPatch> entries = stack.entries();
    for (int i = entries.size() - 1; i >= 0; i--) {
      Optional<InstalledClass> installed = entries.get(i).installedFor(type);
      if (installed.isPresent()) {
        byte[] cached = installed.get().after();
        return Fingerprints.ofClass(cached).equals(Fingerprints.ofClass(running)) ? cached : running;
      }
    }
    return running;
  }

  private void checkStack(Patch patch, boolean replacing) throws CommandException {
    Optional<String> top = stack.top().map(AppliedPatch::id);
    if (replacing) {
      if (patch.depends().isPresent()) {
        throw CommandException.refused("stack", "patch " + patch.id() + " depends on " + patch.depends().get()
            + "; a replacement must be a cumulative patch built against the unpatched classes");
      }
      return;
    }
    if (stack.entries().stream().anyMatch(p -> p.id().equals(patch.id()))) {
      throw CommandException.refused("stack", "patch " + patch.id() + " is already applied");
    }
    if (patch.depends().isEmpty() && top.isPresent()) {
      throw CommandException.refused("stack", "patch " + patch.id() + " depends on no patch, but the stack is not empty"
          + " (top: " + top.get() + "); build it on " + top.get() + " or use replace");
    }
    if (patch.depends().isPresent() && !patch.depends().equals(top)) {
      throw CommandException.refused("stack", "patch " + patch.id() + " depends on " + patch.depends().get()
          + (top.isPresent() ? ", but the top of the stack is " + top.get() : ", but the patch stack is empty"));
    }
  }

  // ---- switching

  private static byte[] spliced(Target target) throws CommandException {
    try {
      return ClassSplicer.splice(target.running(), target.patchedClass().newBytes(),
          Expectations.keys(target.patchedClass()));
    } catch (RuntimeException e) {
      throw CommandException.failed("redefine", "cannot build the new definition of " + target.type().getName()
          + ": " + Hooks.oneLine(e.getMessage()) + "; nothing changed");
    }
  }

  /** Switches all definitions in one {@code redefineClasses} call: one safepoint, all or nothing. */
  private void redefine(Map<Class<?>, byte[]> definitions, String step, String onFailure) throws CommandException {
    if (definitions.isEmpty()) {
      return;
    }
    ClassDefinition[] array = definitions.entrySet().stream()
        .map(e -> new ClassDefinition(e.getKey(), e.getValue())).toArray(ClassDefinition[]::new);
    long started = System.nanoTime();
    try {
      instrumentation.redefineClasses(array);
      redefineNanos += System.nanoTime() - started;
    } catch (Exception | LinkageError e) {
      throw CommandException.failed(step, "the JVM refused the redefinition of "
          + String.join(", ", definitions.keySet().stream().map(Class::getName).toList()) + ": " + e
          + "; " + onFailure);
    }
  }

  /** After a post hook failed: switch back, and report both. */
  private void rollBack(Map<Class<?>, byte[]> previous, CommandException hookFailure) throws CommandException {
    try {
      redefine(previous, hookFailure.step(), "");
    } catch (CommandException rollBackFailure) {
      throw CommandException.failed(hookFailure.step(), hookFailure.getMessage()
          + "; ROLL-BACK FAILED, the target runs the new code: " + rollBackFailure.getMessage());
    }
    throw new CommandException(hookFailure.exitCode(), hookFailure.step(),
        hookFailure.getMessage() + "; rolled back, nothing changed");
  }

  // ---- helpers

  private static List<String> names(Patch patch) {
    return patch.classes().stream().map(PatchedClass::name).toList();
  }

  private static Map<ClassLoader, List<Class<?>>> byLoader(List<Target> targets) {
    Map<ClassLoader, List<Class<?>>> groups = new LinkedHashMap<>();
    for (Target target : targets) {
      groups.computeIfAbsent(target.type().getClassLoader(), l -> new ArrayList<>()).add(target.type());
    }
    return groups;
  }

  private static Optional<Class<?>> find(Map<String, List<Class<?>>> loaded, InstalledClass installed) {
    return loaded.getOrDefault(installed.name(), List.of()).stream().filter(installed::is).findFirst();
  }

  private static String summary(String verb, Patch patch, List<ClassOutcome> outcomes) {
    long applied = outcomes.stream().filter(o -> o.state().equals("applied")).count();
    long pending = outcomes.stream().filter(o -> o.state().equals("pending")).count();
    long mismatch = outcomes.stream().filter(o -> o.state().equals("mismatch")).count();
    StringBuilder line = new StringBuilder(verb).append(' ').append(patch.id()).append(": ")
        .append(patch.methodCount()).append(" method(s) in ").append(applied).append(" class definition(s)");
    if (pending > 0) {
      line.append(", ").append(pending).append(" class(es) pending until loaded");
    }
    if (mismatch > 0) {
      line.append(", ").append(mismatch).append(" definition(s) left alone (different code)");
    }
    return line.toString();
  }
}
