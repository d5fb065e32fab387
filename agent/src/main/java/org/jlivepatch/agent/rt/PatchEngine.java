package org.jlivepatch.agent.rt;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jlivepatch.agent.rt.PatchHooks.Phase;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.AddedClass;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.Guard;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.trampoline.Trampolines;

/**
 * Applies, reverts and replaces patches: the checks in the design's order, then one
 * {@code redefineClasses} call. Every failure before the switch leaves the target untouched; a
 * failure after it (a post hook) switches the classes back. Callers hold the command lock.
 */
final class PatchEngine {

  /**
   * One class definition to switch: the class, the patch class for it, the logical class that runs
   * now (what the expectations are checked on) and the class file installed now.
   */
  private record Target(Class<?> type, PatchedClass patchedClass, byte[] running, byte[] installed) {}

  /**
   * What runs in one class definition: the class file installed, and the logical class it stands
   * for; {@code ours} when it is the class file this agent installed (which no other agent changed,
   * whatever agents ahead of this one make of it as it runs), not one read back.
   */
  private record Current(byte[] installed, byte[] logical, boolean ours) {}

  /** How an apply, revert or replace switches threads to the new code. */
  record SwitchOptions(boolean perThread, long timeoutMillis, boolean force) {
    static final SwitchOptions IMMEDIATE = new SwitchOptions(false, 0, false);
  }

  private final Instrumentation instrumentation;
  private final RunningBytes runningBytes;
  private final PatchStack stack;
  private final Audit audit;
  private final UnloadedClasses unloadedClasses;
  private final Switcher switcher;
  private final Bridges bridges;
  private final TransitionRunner transitions;
  /** The last switch's transition, for the result of the command that ran it. */
  private Switcher.TransitionReport lastTransition = Switcher.TransitionReport.NONE;

  PatchEngine(Instrumentation instrumentation, RunningBytes runningBytes, RetransformStart retransformStart,
      PatchStack stack, Audit audit, Bridges bridges, TransitionRunner transitions) {
    this.instrumentation = instrumentation;
    this.runningBytes = runningBytes;
    this.stack = stack;
    this.audit = audit;
    this.unloadedClasses = new UnloadedClasses(instrumentation);
    this.switcher = new Switcher(instrumentation, bridges, retransformStart);
    this.bridges = bridges;
    this.transitions = transitions;
  }

  /**
   * Applies a patch on top of the stack. The patch is registered with the class-load patcher
   * before its classes are resolved, so a class defined during the apply is patched as it loads
   * (its expectations checked on its own bytes); definitions that finished loading after the
   * resolution are picked up again just before the switch. If the apply fails, the registration
   * is withdrawn and the classes patched as they loaded are switched back.
   *
   * @param checkUnloadedNow whether classes no loader has loaded yet must be found, as the patch
   *     expects them, through the JVM's loaders now; false at startup, when their loaders may not
   *     exist yet and each is checked as it loads
   */
  CommandResult apply(Incoming incoming, String user, boolean checkUnloadedNow, SwitchOptions options)
      throws CommandException {
    Patch patch = incoming.patch();
    checkCapabilities(patch);
    AppliedPatch applying = new AppliedPatch(patch, incoming.signer(), incoming.contentHash(), user);
    stack.beginApply(applying);
    Map<Class<?>, byte[]> before = new LinkedHashMap<>();
    try {
      Map<String, List<Class<?>>> loaded = resolve(names(patch));
      List<ClassOutcome> outcomes = new ArrayList<>();
      Set<Class<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      List<Class<?>> patchedAtLoad = new ArrayList<>();
      List<Target> targets = matchExpectations(patch, loaded, Map.of(), outcomes, applying, seen, patchedAtLoad, true);
      if (checkUnloadedNow) {
        unloadedClasses.check(patch, pendingNames(patch, loaded, applying));
      }
      checkStack(patch, false);
      PatchHooks hooks = PatchHooks.bind(patch, byLoader(targets, patchedAtLoad), pendingNames(patch, loaded, applying),
          audit, instrumentation);
      hooks.run(Phase.PRE_APPLY);
      // Definitions whose class files reached the transformers before the registration, complete only now.
      targets.addAll(matchExpectations(patch, resolve(names(patch)), Map.of(), outcomes, applying, seen, patchedAtLoad,
          false));

      Marks.mark("checks passed");
      List<InstalledClass> installed = new ArrayList<>();
      defineAddedClasses(patch);
      Switcher.Switched switched = switchTargets(targets, "apply " + patch.id(), options, applying, installed);
      Marks.mark("switched");
      for (Target target : targets) {
        before.put(target.type(), target.installed());
      }
      // Once more after the switch, for a definition that took longer still: a second, small switch.
      List<Target> lateTargets = matchExpectations(patch, resolve(names(patch)), Map.of(), outcomes, applying, seen,
          patchedAtLoad, false);
      if (!lateTargets.isEmpty()) {
        defineAddedClasses(patch); // for a loader that loaded a patched class meanwhile
      }
      switchTargets(lateTargets, "apply " + patch.id() + " (late)", SwitchOptions.IMMEDIATE, applying, installed);
      for (Target target : lateTargets) {
        before.put(target.type(), target.installed());
      }
      hooks.run(Phase.POST_APPLY);
      applying.committed(installed, hooks);
      stack.commitApply(applying);
      lastTransition = switched.transition();
      return new CommandResult(summary("applied", patch, outcomes) + transitionSummary(switched.transition())
          + timings(), patch.id(), incoming.signer(), outcomes);
    } catch (CommandException | RuntimeException | LinkageError e) {
      CommandException failure = withdraw(applying, before, e);
      applying.closeGenerations();
      throw failure;
    }
  }

  /** Takes the transition report of the last command. */
  Switcher.TransitionReport takeTransition() {
    Switcher.TransitionReport report = lastTransition;
    lastTransition = Switcher.TransitionReport.NONE;
    return report;
  }

  /**
   * Switches {@code targets} to the patch and records each installed definition; the generation of
   * the switch stays open with {@code applying}.
   */
  private Switcher.Switched switchTargets(List<Target> targets, String label, SwitchOptions options,
      AppliedPatch applying, List<InstalledClass> installed) throws CommandException {
    if (targets.isEmpty()) {
      return new Switcher.Switched(Map.of(), null, Switcher.TransitionReport.NONE);
    }
    List<Switcher.ClassSwitch> switches = new ArrayList<>();
    Map<Class<?>, byte[]> logical = new LinkedHashMap<>();
    for (Target target : targets) {
      byte[] to = logicalAfter(target.running(), target.patchedClass(), target.type());
      logical.put(target.type(), to);
      switches.add(new Switcher.ClassSwitch(target.type(), target.installed(), to, null));
    }
    Switcher.Switched switched = switcher.switchAll(switches, label,
        transitionsFor(options, label, applying.patch().guards()));
    applying.addGeneration(switched.generation());
    for (Target target : targets) {
      Class<?> type = target.type();
      installed.add(new InstalledClass(type.getName(), type.getClassLoader(), target.installed(),
          switched.installed().getOrDefault(type, target.installed()), target.running(), logical.get(type)));
    }
    return switched;
  }

  /**
   * Defines the classes the patch adds, in the patch's order (supertypes first), in every loader
   * that holds their host or a class the patch changes in their package (the host, an enclosing
   * class say, need not be loaded where the patched code is), before any code of the patch can
   * reach them. A class cannot be undefined: one defined by an earlier apply of the patch (reverted
   * since) is found and reused.
   */
  private void defineAddedClasses(Patch patch) throws CommandException {
    if (patch.addedClasses().isEmpty()) {
      return;
    }
    Set<String> anchorNames = new LinkedHashSet<>();
    patch.addedClasses().forEach(added -> anchorNames.add(added.host()));
    patch.classes().forEach(patched -> anchorNames.add(patched.name()));
    Map<String, List<Class<?>>> anchors = resolve(List.copyOf(anchorNames));
    for (AddedClass added : patch.addedClasses()) {
      String pkg = packageOf(added.name());
      Map<ClassLoader, Class<?>> byLoader = new IdentityHashMap<>();
      List<Class<?>> candidates = new ArrayList<>(anchors.getOrDefault(added.host(), List.of()));
      patch.classes().stream().filter(patched -> packageOf(patched.name()).equals(pkg))
          .forEach(patched -> candidates.addAll(anchors.getOrDefault(patched.name(), List.of())));
      candidates.forEach(anchor -> byLoader.putIfAbsent(anchor.getClassLoader(), anchor));
      for (Class<?> anchor : byLoader.values()) {
        try {
          Class.forName(added.name(), false, anchor.getClassLoader());
          continue;
        } catch (ClassNotFoundException notYet) {
          // defined below
        }
        try {
          bridges.fullPrivilegeLookup(anchor).defineClass(added.bytes());
        } catch (IllegalAccessException | LinkageError e) {
          throw CommandException.failed("trampoline", "cannot define added class " + added.name() + " in loader "
              + Loaders.describe(anchor.getClassLoader()) + ": " + e + "; nothing changed");
        }
      }
    }
  }

  private static String packageOf(String binaryName) {
    int dot = binaryName.lastIndexOf('.');
    return dot < 0 ? "" : binaryName.substring(0, dot);
  }

  /** The per-thread transition runner for {@code options}, or null for an immediate switch. */
  private Switcher.Transitions transitionsFor(SwitchOptions options, String label, List<Guard> guards) {
    return options.perThread() ? transitions.forSwitch(label, options, guards) : null;
  }

  /** The logical class once {@code patchedClass} is applied on {@code running}. */
  private static byte[] logicalAfter(byte[] running, PatchedClass patchedClass, Class<?> type) throws CommandException {
    try {
      List<String> changed = new ArrayList<>();
      List<String> added = new ArrayList<>();
      for (PatchedMethod method : patchedClass.methods()) {
        (method.kind() == ChangeKind.ADDED ? added : changed).add(method.key());
      }
      return Trampolines.logical(running, patchedClass.newBytes(), changed, added, patchedClass.shadowFields());
    } catch (RuntimeException e) {
      throw CommandException.failed("redefine", "cannot build the new definition of " + type.getName()
          + ": " + CommandException.oneLine(e.getMessage()) + "; nothing changed");
    }
  }

  private static String transitionSummary(Switcher.TransitionReport report) {
    if (report == Switcher.TransitionReport.NONE) {
      return "";
    }
    String line = "; per-thread transition of " + report.threads() + " thread(s) in " + report.millis() + " ms";
    if (report.forced()) {
      line += "; FORCED with " + report.stragglers().size() + " thread(s) still in old code: "
          + String.join(", ", report.stragglers());
    }
    return line;
  }

  /**
   * After a failed apply: withdraws the registration, and switches back both what the command
   * switched ({@code switched}: class to the bytes it ran before) and the classes patched as they
   * loaded meanwhile. Returns the failure to throw, its message saying what was undone.
   */
  private CommandException withdraw(AppliedPatch applying, Map<Class<?>, byte[]> switched, Throwable failure) {
    CommandException cause = failure instanceof CommandException c ? c
        : CommandException.failed("agent", "internal error in the agent: " + failure);
    boolean complete = stack.abortApply();
    Map<Class<?>, byte[]> restore = new LinkedHashMap<>(switched);
    int loadedMeanwhile = 0;
    try {
      List<InstalledClass> atLoad = applying.installed();
      if (!atLoad.isEmpty()) {
        Map<String, List<Class<?>>> loaded = resolve(atLoad.stream().map(InstalledClass::name).distinct().toList());
        for (InstalledClass record : atLoad) {
          Optional<Class<?>> type = find(loaded, record);
          if (type.isPresent()) {
            restore.put(type.get(), record.before());
            loadedMeanwhile++;
          }
        }
      }
      if (restore.isEmpty() && complete) {
        return cause;
      }
      redefine(restore, cause.step(), "");
    } catch (CommandException rollBackFailure) {
      return CommandException.failed(cause.step(), cause.getMessage()
          + "; ROLL-BACK FAILED, the target may run the new code: " + rollBackFailure.getMessage());
    }
    String undone = switched.isEmpty() ? "" : "; rolled back";
    if (loadedMeanwhile > 0) {
      undone += "; " + loadedMeanwhile + " class definition(s) patched as they loaded meanwhile switched back";
    }
    if (!complete) {
      audit.warning("apply " + applying.id() + " withdrawn while class loading still used it; a class loading at"
          + " that moment may run the patch");
    }
    return new CommandException(cause.exitCode(), cause.step(), cause.getMessage() + undone + ", nothing changed");
  }

  /** Reverts the top of the stack, which must be {@code id}. */
  CommandResult revert(String id, String user, SwitchOptions options) throws CommandException {
    AppliedPatch top = stack.top().orElseThrow(
        () -> CommandException.refused("stack", "patch " + id + " is not applied: the patch stack is empty"));
    if (!top.id().equals(id)) {
      boolean onStack = stack.entries().stream().anyMatch(p -> p.id().equals(id));
      throw CommandException.refused("stack", onStack
          ? "patch " + id + " is not the top of the stack; revert " + top.id() + " (the top) first"
          : "patch " + id + " is not applied; the top of the stack is " + top.id());
    }
    Map<Class<?>, InstalledClass> restore = new LinkedHashMap<>();
    Map<Class<?>, byte[]> current = new LinkedHashMap<>();
    List<ClassOutcome> outcomes = new ArrayList<>();
    collectReverts(top, restore, current, outcomes);
    top.hooks().run(Phase.PRE_REVERT);
    // From here classes load without the patch; those it patched as they loaded until now are switched back too.
    stack.beginRevert();
    Switcher.TransitionReport report;
    try {
      collectReverts(top, restore, current, outcomes);
      report = switchBack(restore, current, "revert " + top.id(), options, top.patch().guards());
      try {
        // Once more after the switch, for a definition patched as it loaded that took longer to complete.
        Map<Class<?>, InstalledClass> late = collectReverts(top, restore, current, outcomes);
        switchBack(late, current, "revert " + top.id() + " (late)", SwitchOptions.IMMEDIATE, List.of());
        top.hooks().run(Phase.POST_REVERT);
      } catch (CommandException e) {
        rollBack(current, e);
      }
    } catch (CommandException e) {
      stack.abortRevert();
      throw e;
    }
    stack.pop();
    top.closeGenerations();
    lastTransition = report;
    return new CommandResult("reverted " + top.id() + " (" + outcomes.size() + " class definition(s) restored)"
        + transitionSummary(report) + timings(), top.id(), top.signer(), outcomes);
  }

  /** Switches each definition back to what it ran before the patch (its logical class the target). */
  private Switcher.TransitionReport switchBack(Map<Class<?>, InstalledClass> restore, Map<Class<?>, byte[]> current,
      String label, SwitchOptions options, List<Guard> guards) throws CommandException {
    if (restore.isEmpty()) {
      return Switcher.TransitionReport.NONE;
    }
    List<Switcher.ClassSwitch> switches = new ArrayList<>();
    restore.forEach((type, installed) -> switches.add(
        new Switcher.ClassSwitch(type, current.get(type), installed.beforeLogical(), installed.before())));
    Switcher.Switched switched = switcher.switchAll(switches, label, transitionsFor(options, label, guards));
    Linker.instance().close(switched.generation());
    return switched.transition();
  }

  /**
   * Adds the loaded definitions {@code top} installed that are not in {@code restore} yet, after
   * checking that each still runs what the patch installed, and returns those added.
   */
  private Map<Class<?>, InstalledClass> collectReverts(AppliedPatch top, Map<Class<?>, InstalledClass> restore,
      Map<Class<?>, byte[]> current, List<ClassOutcome> outcomes) throws CommandException {
    Map<Class<?>, InstalledClass> added = new LinkedHashMap<>();
    Map<String, List<Class<?>>> loaded = resolve(top.installed().stream().map(InstalledClass::name).distinct().toList());
    for (InstalledClass installed : top.installed()) {
      Optional<Class<?>> type = find(loaded, installed);
      if (type.isEmpty() || restore.containsKey(type.get())) {
        continue;
      }
      byte[] running = runningBytes.capture(type.get());
      if (!runsAsInstalled(type.get(), installed.after(), running)) {
        Map<String, String> runs = Fingerprints.ofClass(running);
        for (Map.Entry<String, String> method : Fingerprints.ofClass(installed.after()).entrySet()) {
          if (!method.getValue().equals(runs.get(method.getKey()))) {
            throw CommandException.refused("expectation", "method " + installed.name() + "." + method.getKey()
                + " in loader " + installed.loaderDescription() + " was changed since patch " + top.id()
                + " was applied (running " + runs.get(method.getKey()) + ", patch installed " + method.getValue() + ")");
          }
        }
      }
      restore.put(type.get(), installed);
      added.put(type.get(), installed);
      // What the patch installed, not what runs: agents ahead of this one make their changes to it again.
      current.put(type.get(), installed.after());
      outcomes.add(new ClassOutcome(installed.name(), installed.loaderDescription(), "reverted"));
    }
    return added;
  }

  /** Swaps the whole stack for one cumulative patch, in one redefinition. */
  CommandResult replace(Incoming incoming, String user, SwitchOptions options) throws CommandException {
    if (stack.entries().isEmpty()) {
      return apply(incoming, user, true, options);
    }
    Patch patch = incoming.patch();
    checkCapabilities(patch);
    List<AppliedPatch> old = stack.entries();
    Set<String> names = new LinkedHashSet<>(names(patch));
    old.forEach(p -> p.installed().forEach(i -> names.add(i.name())));
    Map<String, List<Class<?>>> loaded = resolve(names);

    // The state below the stack, and what the stack runs now, per class definition.
    Map<Class<?>, InstalledClass> bottom = new IdentityHashMap<>();
    Map<Class<?>, byte[]> top = new IdentityHashMap<>();
    for (AppliedPatch applied : old) {
      for (InstalledClass installed : applied.installed()) {
        find(loaded, installed).ifPresent(type -> {
          bottom.putIfAbsent(type, installed);
          top.put(type, installed.after());
        });
      }
    }
    Map<Class<?>, byte[]> current = new LinkedHashMap<>();
    Map<Class<?>, Current> base = new IdentityHashMap<>();
    for (Map.Entry<Class<?>, byte[]> entry : top.entrySet()) {
      byte[] running = runningBytes.capture(entry.getKey());
      if (!runsAsInstalled(entry.getKey(), entry.getValue(), running)) {
        throw CommandException.refused("expectation", "class " + entry.getKey().getName() + " in loader "
            + Loaders.describe(entry.getKey().getClassLoader()) + " was changed since the stack's patches were applied");
      }
      current.put(entry.getKey(), entry.getValue());
      base.put(entry.getKey(), new Current(entry.getValue(), bottom.get(entry.getKey()).beforeLogical(), true));
    }
    List<ClassOutcome> outcomes = new ArrayList<>();
    AppliedPatch replacing = new AppliedPatch(patch, incoming.signer(), incoming.contentHash(), user);
    List<Class<?>> none = new ArrayList<>();
    List<Target> targets = matchExpectations(patch, loaded, base, outcomes, replacing,
        Collections.newSetFromMap(new IdentityHashMap<>()), none, true);
    unloadedClasses.check(patch, pendingNames(patch, loaded, replacing));
    checkStack(patch, true);

    PatchHooks hooks = PatchHooks.bind(patch, byLoader(targets, none), pendingNames(patch, loaded, replacing), audit,
        instrumentation);
    for (int i = old.size() - 1; i >= 0; i--) {
      old.get(i).hooks().run(Phase.PRE_REVERT);
    }
    hooks.run(Phase.PRE_APPLY);

    List<Switcher.ClassSwitch> switches = new ArrayList<>();
    Map<Class<?>, byte[]> logical = new IdentityHashMap<>();
    Map<Class<?>, byte[]> previous = new LinkedHashMap<>(current);
    for (Target target : targets) {
      byte[] to = logicalAfter(target.running(), target.patchedClass(), target.type());
      logical.put(target.type(), to);
      switches.add(new Switcher.ClassSwitch(target.type(), target.installed(), to, null));
      previous.putIfAbsent(target.type(), target.installed());
    }
    bottom.forEach((type, installed) -> {
      if (!logical.containsKey(type)) {
        switches.add(new Switcher.ClassSwitch(type, current.get(type), installed.beforeLogical(), installed.before()));
      }
    });
    defineAddedClasses(patch);
    Switcher.Switched switched = switcher.switchAll(switches, "replace with " + patch.id(),
        transitionsFor(options, "replace with " + patch.id(), patch.guards()));
    replacing.addGeneration(switched.generation());
    try {
      for (int i = old.size() - 1; i >= 0; i--) {
        old.get(i).hooks().run(Phase.POST_REVERT);
      }
      hooks.run(Phase.POST_APPLY);
    } catch (CommandException e) {
      replacing.closeGenerations();
      rollBack(previous, e);
    }
    List<InstalledClass> installed = new ArrayList<>();
    for (Target target : targets) {
      Class<?> type = target.type();
      InstalledClass below = bottom.get(type);
      installed.add(new InstalledClass(type.getName(), type.getClassLoader(),
          below != null ? below.before() : target.installed(),
          switched.installed().getOrDefault(type, target.installed()),
          target.running(), logical.get(type)));
    }
    replacing.committed(installed, hooks);
    stack.replaceAll(replacing);
    old.forEach(AppliedPatch::closeGenerations);
    lastTransition = switched.transition();
    String replaced = String.join(",", old.stream().map(AppliedPatch::id).toList());
    return new CommandResult(summary("replaced " + replaced + " with", patch, outcomes)
        + transitionSummary(switched.transition()) + timings(), patch.id(), incoming.signer(), outcomes);
  }

  /** Starts a command's timings afresh. */
  void resetTimings() {
    runningBytes.takeCaptureNanos();
    switcher.takeRedefineNanos();
  }

  /** The time spent reading running bytes and in the redefinition, for the result message. */
  private String timings() {
    long capture = runningBytes.takeCaptureNanos();
    long redefine = switcher.takeRedefineNanos();
    return " [running code read in " + millis(capture) + " ms, switched in " + millis(redefine) + " ms]";
  }

  /**
   * {@code 12.34}: nanoseconds as milliseconds with two decimals. Not String.format: its first
   * floating-point conversion loads the locale data for decimal symbols into the target.
   */
  static String millis(long nanos) {
    long hundredths = (nanos + 5_000) / 10_000;
    long fraction = hundredths % 100;
    return hundredths / 100 + (fraction < 10 ? ".0" : ".") + fraction;
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
    for (String name : names) {
      result.put(name, new ArrayList<>());
    }
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
   * refuses the patch. A definition that an agent ahead of this one changes at each redefinition
   * does not match (see {@link #changedAhead}). Definitions in {@code seen} were checked before and are skipped; those
   * {@code patch} installed as they loaded count as applied.
   *
   * @param base bytes to check instead of the running ones (replace: the state below the stack)
   * @param seen definitions already checked; the ones checked now are added
   * @param patchedAtLoad receives the definitions patched as they loaded
   * @param refuse whether a class matching nowhere refuses the patch; false for the definitions
   *     completed since the first check, which are left alone like a mismatch at load
   */
  private List<Target> matchExpectations(Patch patch, Map<String, List<Class<?>>> loaded, Map<Class<?>, Current> base,
      List<ClassOutcome> outcomes, AppliedPatch applying, Set<Class<?>> seen, List<Class<?>> patchedAtLoad,
      boolean refuse) throws CommandException {
    List<Target> targets = new ArrayList<>();
    for (PatchedClass patchedClass : patch.classes()) {
      List<Class<?>> definitions = loaded.getOrDefault(patchedClass.name(), List.of());
      if (definitions.isEmpty()) {
        if (refuse) {
          outcomes.add(new ClassOutcome(patchedClass.name(), "", "pending"));
        }
        continue;
      }
      if (!refuse) {
        for (Iterator<ClassOutcome> it = outcomes.iterator(); it.hasNext(); ) {
          ClassOutcome o = it.next();
          if (o.name().equals(patchedClass.name()) && o.state().equals("pending")) {
            it.remove();
          }
        }
      }
      String firstMismatch = null;
      int matched = 0;
      for (Class<?> type : definitions) {
        if (!seen.add(type)) {
          continue;
        }
        String loader = Loaders.describe(type.getClassLoader());
        if (applying.installedFor(type).isPresent()) {
          patchedAtLoad.add(type);
          outcomes.add(new ClassOutcome(patchedClass.name(), loader, "applied"));
          matched++;
          continue;
        }
        Current now = base.containsKey(type) ? base.get(type) : currentBytes(type);
        byte[] running = now.logical();
        Optional<String> mismatch = now.ours() ? Optional.empty() : changedAhead(type, now.installed());
        if (mismatch.isEmpty()) {
          mismatch = Expectations.firstMismatch(running, patchedClass, type.getClassLoader());
        }
        if (mismatch.isPresent()) {
          outcomes.add(new ClassOutcome(patchedClass.name(), loader, "mismatch"));
          firstMismatch = firstMismatch == null ? mismatch.get() : firstMismatch;
        } else {
          targets.add(new Target(type, patchedClass, running, now.installed()));
          outcomes.add(new ClassOutcome(patchedClass.name(), loader, "applied"));
          matched++;
        }
      }
      if (refuse && matched == 0 && firstMismatch != null) {
        throw CommandException.refused("expectation", "patch " + patch.id() + " refused: " + firstMismatch);
      }
    }
    return targets;
  }

  /**
   * Why {@code type} cannot be switched if an agent ahead of this one in the JVM's order changes
   * its class file {@code installed} when a redefinition passes it: that agent's changes are in the
   * running code already, and a switch would have them made a second time (an APM agent's
   * instrumentation twice).
   */
  private Optional<String> changedAhead(Class<?> type, byte[] installed) throws CommandException {
    if (Arrays.equals(runningBytes.asPassedOn(type, installed), installed)) {
      return Optional.empty();
    }
    return Optional.of("class " + type.getName() + " in loader " + Loaders.describe(type.getClassLoader())
        + " is transformed at each redefinition by an agent ahead of jlivepatch's (loaded before it, or not"
        + " retransformation-capable), whose changes the running code already carries: a switch would make them"
        + " twice; load jlivepatch's agent before that agent (an agent that cannot retransform comes first whatever"
        + " the order)");
  }

  /** Binary names of the patch's classes loaded in no class loader: none resolved, none patched as it loaded. */
  private static List<String> pendingNames(Patch patch, Map<String, List<Class<?>>> loaded, AppliedPatch applying) {
    List<String> pending = new ArrayList<>();
    for (PatchedClass patchedClass : patch.classes()) {
      String name = patchedClass.name();
      if (loaded.getOrDefault(name, List.of()).isEmpty() && !applying.hasInstalled(name)) {
        pending.add(name);
      }
    }
    return pending;
  }

  /**
   * The class file to check and splice into: the JVM's running bytes, or the exact bytes this
   * agent installed when they are still what runs (they keep debug information the JVM drops, and
   * none of the changes agents ahead of this one make at a redefinition).
   */
  private Current currentBytes(Class<?> type) throws CommandException {
    byte[] running = runningBytes.capture(type);
    List<AppliedPatch> entries = stack.entries();
    for (int i = entries.size() - 1; i >= 0; i--) {
      Optional<InstalledClass> installed = entries.get(i).installedFor(type);
      if (installed.isPresent()) {
        InstalledClass cached = installed.get();
        return runsAsInstalled(type, cached.after(), running)
            ? new Current(cached.after(), cached.logical(), true) : new Current(running, running, false);
      }
    }
    return new Current(running, running, false);
  }

  /**
   * Whether {@code running}, read back, is the class file {@code installed} this agent installed:
   * the same code, or exactly what the agents ahead of this one make of it at a redefinition (an
   * APM agent loaded earlier instruments a class patched as it loaded, or each switch).
   */
  private boolean runsAsInstalled(Class<?> type, byte[] installed, byte[] running) throws CommandException {
    return Fingerprints.ofClass(installed).equals(Fingerprints.ofClass(running))
        || Arrays.equals(runningBytes.asPassedOn(type, installed), running);
  }

  private void checkStack(Patch patch, boolean replacing) throws CommandException {
    Optional<AppliedPatch> topPatch = stack.top();
    Optional<String> top = topPatch.isPresent() ? Optional.of(topPatch.get().id()) : Optional.empty();
    if (replacing) {
      if (patch.depends().isPresent()) {
        throw CommandException.refused("stack", "patch " + patch.id() + " depends on " + patch.depends().get()
            + "; a replacement must be a cumulative patch built against the unpatched classes");
      }
      return;
    }
    for (AppliedPatch applied : stack.entries()) {
      if (applied.id().equals(patch.id())) {
        throw CommandException.refused("stack", "patch " + patch.id() + " is already applied");
      }
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

  private void redefine(Map<Class<?>, byte[]> definitions, String step, String onFailure) throws CommandException {
    switcher.redefine(definitions, step, onFailure);
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
    List<String> names = new ArrayList<>();
    for (PatchedClass patchedClass : patch.classes()) {
      names.add(patchedClass.name());
    }
    return names;
  }

  /** The loaded patched classes, to switch and patched as they loaded, grouped by defining loader. */
  private static Map<ClassLoader, List<Class<?>>> byLoader(List<Target> targets, List<Class<?>> patchedAtLoad) {
    Map<ClassLoader, List<Class<?>>> groups = new LinkedHashMap<>();
    for (Target target : targets) {
      group(groups, target.type());
    }
    for (Class<?> type : patchedAtLoad) {
      group(groups, type);
    }
    return groups;
  }

  private static void group(Map<ClassLoader, List<Class<?>>> groups, Class<?> type) {
    List<Class<?>> group = groups.get(type.getClassLoader());
    if (group == null) {
      group = new ArrayList<>();
      groups.put(type.getClassLoader(), group);
    }
    group.add(type);
  }

  private static Optional<Class<?>> find(Map<String, List<Class<?>>> loaded, InstalledClass installed) {
    for (Class<?> type : loaded.getOrDefault(installed.name(), List.of())) {
      if (installed.is(type)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }

  private static String summary(String verb, Patch patch, List<ClassOutcome> outcomes) {
    long applied = 0;
    long pending = 0;
    long mismatch = 0;
    for (ClassOutcome o : outcomes) {
      switch (o.state()) {
        case "applied" -> applied++;
        case "pending" -> pending++;
        case "mismatch" -> mismatch++;
        default -> { }
      }
    }
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
