package org.jlivepatch.agent.rt;

import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Map;
import org.jlivepatch.core.model.HookClass;
import org.jlivepatch.core.model.Patch;

/**
 * A patch's hooks, bound to the class loaders they run for; {@link #NONE} for a patch without
 * hooks. Names no api type, so that a hook-less patch never links {@link Hooks} and never puts
 * the api on the bootstrap class path (see {@link ApiJar}).
 */
final class PatchHooks {

  /** A patch without hooks. */
  static final PatchHooks NONE = new PatchHooks(List.of());

  /** A hook phase. */
  enum Phase {
    PRE_APPLY("preApply"),
    POST_APPLY("postApply"),
    PRE_REVERT("preRevert"),
    POST_REVERT("postRevert");

    final String step;

    Phase(String step) {
      this.step = step;
    }
  }

  private final List<Hooks.Bound> bound;

  private PatchHooks(List<Hooks.Bound> bound) {
    this.bound = List.copyOf(bound);
  }

  /**
   * Instantiates the patch's hooks, once for each class loader that holds patched classes; with
   * none loaded, once under the system class loader. Appends the api to the bootstrap class path
   * first, if the patch has hooks and nothing did yet.
   *
   * @param classesByLoader the loaded patched classes grouped by defining loader
   * @param pending binary names of the patch's classes that no class loader has loaded
   * @throws CommandException at the {@code preApply} step if a hook cannot be instantiated
   */
  static PatchHooks bind(Patch patch, Map<ClassLoader, List<Class<?>>> classesByLoader, List<String> pending,
      Audit audit, Instrumentation instrumentation) throws CommandException {
    boolean entryPoint = false;
    for (HookClass hook : patch.hooks()) {
      entryPoint |= hook.entryPoint();
    }
    if (!entryPoint) {
      return NONE;
    }
    ApiJar.install(instrumentation, Phase.PRE_APPLY.step);
    return new PatchHooks(Hooks.bind(patch, classesByLoader, pending, audit));
  }

  /**
   * Runs one phase of every hook, in order.
   *
   * @throws CommandException exit 3 for a veto, exit 1 for a hook that throws, naming the hook
   */
  void run(Phase phase) throws CommandException {
    if (!bound.isEmpty()) {
      Hooks.run(bound, phase);
    }
  }
}
