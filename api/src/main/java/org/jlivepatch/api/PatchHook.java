package org.jlivepatch.api;

/**
 * Code a patch runs in the target JVM around its apply and revert.
 *
 * <p>A payload names its hook classes; when it is applied, the agent instantiates each through its
 * public no-argument constructor in a fresh class loader whose parent is the loader of the
 * patched classes, one instance per class loader that holds loaded classes of the patch, so a
 * hook can see and use the application's classes. If no class of the patch is loaded anywhere,
 * one instance runs under the system class loader, with no patched classes. The same instances
 * run the revert. Hooks run on the thread that executes the command, one at a time, while no
 * other patch command runs.
 *
 * <p>Each method runs once per command, never when a class loads: a class that is not loaded at
 * apply (see {@link PatchContext#pendingClasses()}) is patched as it loads, without a hook call.
 * It never ran the old code, so it has no state of its own for a hook to repair.
 *
 * <p>The {@code pre} methods run before anything changes and may refuse the operation by throwing
 * {@link PatchVetoException}; its message reaches the operator. Any other exception thrown by a
 * hook during apply makes the apply fail with the target left as it was.
 */
public interface PatchHook {

  /**
   * Runs before the patch's classes are switched in.
   *
   * @param context the patch and its classes as they are now
   * @throws PatchVetoException to refuse the apply; nothing changes
   */
  default void preApply(PatchContext context) throws PatchVetoException {}

  /**
   * Runs after the patch's classes are switched in; a data fix-up belongs here.
   *
   * @param context the patch and its classes, now patched
   */
  default void postApply(PatchContext context) {}

  /**
   * Runs before the patch is reverted.
   *
   * @param context the patch and its classes, still patched
   * @throws PatchVetoException to refuse the revert; nothing changes
   */
  default void preRevert(PatchContext context) throws PatchVetoException {}

  /**
   * Runs after the patch's classes are switched back.
   *
   * @param context the patch and its classes, back as they were before the patch
   */
  default void postRevert(PatchContext context) {}
}
