package org.jlivepatch.agent.rt;

import java.lang.instrument.ClassDefinition;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jlivepatch.core.model.ShadowField;
import org.jlivepatch.core.trampoline.ClassChange;
import org.jlivepatch.core.trampoline.HiddenClass;
import org.jlivepatch.core.trampoline.NotMovableException;
import org.jlivepatch.core.trampoline.Trampolines;

/**
 * Switches class definitions from the code they run to a logical class: at once (one
 * {@code redefineClasses}), or thread by thread through gated entries (per-thread consistency).
 * New bodies that cannot live in their class (they use members the fix adds) go to a hidden
 * nestmate class and are reached through an entry redirect; a field the fix adds becomes a shadow
 * field. On any failure before the switch nothing has changed; a transition that times out is
 * reversed and the original definitions restored.
 */
final class Switcher {

  /**
   * One class definition to switch.
   *
   * @param type the loaded class
   * @param from the class file that runs now (the exact bytes to restore)
   * @param to the logical class to reach (may hold methods and fields the JVM cannot add)
   * @param end the class file to install once switched; null for the steady form of {@code to}
   */
  record ClassSwitch(Class<?> type, byte[] from, byte[] to, byte[] end) {}

  /** What a switch installed per class definition, and the generation its links belong to. */
  record Switched(Map<Class<?>, byte[]> installed, Generation generation, TransitionReport transition) {}

  /** How the switch went for a per-thread transition; {@link #NONE} for an immediate one. */
  record TransitionReport(long millis, int threads, boolean forced, List<String> stragglers) {
    static final TransitionReport NONE = new TransitionReport(0, 0, false, List.of());
  }

  /** Runs a per-thread transition over gated methods; see {@link TransitionRunner}. */
  interface Transitions {
    /**
     * Sets the generation's gates, switches the gated classes in with {@code installGated}, runs a
     * transition over {@code methods} (class to method keys) to its end, and returns how it ended.
     * {@code versions}: for each class the switch changes, every class file it may run during the
     * transition (the one running now, and the gated one).
     */
    TransitionEnd run(Generation generation, Map<Class<?>, Set<String>> methods, Map<Class<?>, List<byte[]>> versions,
        Install installGated) throws CommandException;
  }

  /** Switches the gated classes in. */
  interface Install {
    void run() throws CommandException;
  }

  /** How a transition ended. */
  record TransitionEnd(boolean completed, boolean forced, long millis, int threads, List<String> stragglers,
      String message) {}

  private final Instrumentation instrumentation;
  private final Bridges bridges;
  private final RetransformStart retransformStart;
  private long redefineNanos;

  Switcher(Instrumentation instrumentation, Bridges bridges, RetransformStart retransformStart) {
    this.instrumentation = instrumentation;
    this.bridges = bridges;
    this.retransformStart = retransformStart;
  }

  /** The planned forms of one class definition. */
  private record Plan(ClassSwitch target, ClassChange change, byte[] steady, byte[] gated) {}

  /**
   * Switches every definition in {@code switches}.
   *
   * @param label the command and patch, for the generation and messages
   * @param transitions null for an immediate switch
   */
  Switched switchAll(List<ClassSwitch> switches, String label, Transitions transitions) throws CommandException {
    Generation generation = Linker.instance().open(label);
    boolean done = false;
    try {
      List<Plan> plans = plan(switches, generation, transitions != null);
      Marks.mark("planned");
      Map<Class<?>, byte[]> steady = new LinkedHashMap<>();
      Map<Class<?>, byte[]> gated = new LinkedHashMap<>();
      Map<Class<?>, byte[]> original = new LinkedHashMap<>();
      Map<Class<?>, Set<String>> gatedMethods = new LinkedHashMap<>();
      Map<Class<?>, List<byte[]>> versions = new LinkedHashMap<>();
      for (Plan plan : plans) {
        Class<?> type = plan.target().type();
        versions.put(type, plan.gated() == null ? List.of(plan.target().from())
            : List.of(plan.target().from(), plan.gated()));
        if (!Arrays.equals(plan.steady(), plan.target().from())) {
          steady.put(type, plan.steady());
          original.put(type, plan.target().from());
        }
        if (plan.gated() != null) {
          gated.put(type, plan.gated());
          gatedMethods.put(type, new LinkedHashSet<>(plan.change().changed()));
        }
      }
      TransitionReport report = TransitionReport.NONE;
      if (transitions == null || gated.isEmpty()) {
        redefine(steady, "redefine", "nothing changed");
      } else {
        boolean[] installed = {false};
        TransitionEnd end;
        try {
          end = transitions.run(generation, gatedMethods, versions, () -> {
            redefine(gated, "redefine", "nothing changed");
            installed[0] = true;
            Marks.mark("gated classes in");
          });
        } catch (CommandException | RuntimeException e) {
          if (installed[0]) {
            restore(original, gated.keySet(), e.getMessage());
          }
          throw e;
        }
        if (!end.completed()) {
          restore(original, gated.keySet(), end.message());
          throw new CommandException(CommandException.RETRY, "consistency", end.message() + "; nothing changed");
        }
        Marks.mark("transition ended");
        redefine(steady, "redefine", "");
        report = new TransitionReport(end.millis(), end.threads(), end.forced(), end.stragglers());
      }
      done = true;
      return new Switched(steady, generation, report);
    } finally {
      if (!done) {
        Linker.instance().close(generation);
      }
    }
  }

  /** Puts back {@code original} for the gated classes after a transition did not complete. */
  private void restore(Map<Class<?>, byte[]> original, Set<Class<?>> gated, String why) throws CommandException {
    Map<Class<?>, byte[]> back = new LinkedHashMap<>();
    for (Class<?> type : gated) {
      back.put(type, original.get(type));
    }
    try {
      redefine(back, "consistency", "");
    } catch (CommandException e) {
      throw CommandException.failed("consistency", why + "; RESTORING THE ORIGINAL CLASSES FAILED, the target runs"
          + " the gated classes (every thread on the old code): " + e.getMessage());
    }
  }

  private List<Plan> plan(List<ClassSwitch> switches, Generation generation, boolean perThread)
      throws CommandException {
    // A list beside switches, not a map keyed by them: a record's hashCode bootstraps method
    // handles (ObjectMethods) on first use, dozens of classes spun in the target.
    List<ClassChange> changes = new ArrayList<>();
    Set<String> shadowFields = new LinkedHashSet<>();
    for (ClassSwitch target : switches) {
      ClassChange change = Trampolines.compare(target.from(), target.to());
      changes.add(change);
      for (ShadowField field : change.shadowFields()) {
        shadowFields.add(change.className() + "." + field.key());
      }
    }
    List<Plan> plans = new ArrayList<>();
    for (int index = 0; index < switches.size(); index++) {
      ClassSwitch target = switches.get(index);
      ClassChange change = changes.get(index);
      Class<?> type = target.type();
      try {
        Set<String> redirected = Trampolines.needsRedirect(target.to(), change, shadowFields);
        boolean gate = perThread && !change.changed().isEmpty();
        List<String> bodies = gate ? change.changed() : List.copyOf(redirected);
        HiddenClass hidden = bodies.isEmpty() ? null
            : Trampolines.hidden(target.to(), change, bodies, shadowFields, Set.of(), HostOnlyMembers.of(type),
                generation.id());
        if (hidden != null) {
          java.lang.invoke.MethodHandles.Lookup full = bridges.fullPrivilegeLookup(type);
          generation.defineHidden(type, full, hidden.bytes());
        }
        for (ShadowField field : change.shadowFields()) {
          generation.retain(ShadowStores.instance().store(type, field.name(), field.descriptor(), field.isStatic()));
        }
        byte[] steady = target.end() != null ? target.end()
            : change.changed().isEmpty() ? target.from()
            : Trampolines.steady(target.from(), target.to(), change, redirected, redirected.isEmpty() ? null : hidden,
                generation.slot());
        byte[] gated = gate ? Trampolines.gated(target.from(), change.changed(), hidden, generation.slot()) : null;
        plans.add(new Plan(target, change, steady, gated));
      } catch (NotMovableException e) {
        throw CommandException.refused(perThread ? "consistency" : "trampoline", e.getMessage()
            + (perThread ? "; a per-thread switch runs every changed method's new body from a hidden class: apply"
                + " with --consistency immediate if mixing old and new code of this patch is harmless" : "")
            + "; nothing changed");
      } catch (CommandException e) {
        throw e;
      } catch (ClassNotFoundException | IllegalAccessException | RuntimeException | LinkageError e) {
        throw CommandException.failed("trampoline", "cannot prepare " + type.getName() + " in loader "
            + Loaders.describe(type.getClassLoader()) + ": " + e + "; nothing changed");
      }
    }
    return plans;
  }

  /** Switches all definitions in one {@code redefineClasses} call: one safepoint, all or nothing. */
  void redefine(Map<Class<?>, byte[]> definitions, String step, String onFailure) throws CommandException {
    if (definitions.isEmpty()) {
      return;
    }
    ClassDefinition[] array = new ClassDefinition[definitions.size()];
    int i = 0;
    for (Map.Entry<Class<?>, byte[]> e : definitions.entrySet()) {
      array[i++] = new ClassDefinition(e.getKey(), e.getValue());
    }
    RetransformStart.Redefinition tracked = retransformStart.redefining(definitions);
    boolean succeeded = false;
    long started = System.nanoTime();
    try {
      instrumentation.redefineClasses(array);
      succeeded = true;
      redefineNanos += System.nanoTime() - started;
    } catch (Exception | LinkageError e) {
      throw CommandException.failed(step, "the JVM refused the redefinition of "
          + String.join(", ", definitions.keySet().stream().map(Class::getName).toList()) + ": " + e
          + (onFailure.isEmpty() ? "" : "; " + onFailure));
    } finally {
      retransformStart.finished(tracked, succeeded);
    }
  }

  /** The time spent in redefinitions since the last call, then starts afresh. */
  long takeRedefineNanos() {
    long nanos = redefineNanos;
    redefineNanos = 0;
    return nanos;
  }
}
