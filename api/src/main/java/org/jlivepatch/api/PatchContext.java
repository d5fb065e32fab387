package org.jlivepatch.api;

import java.util.List;

/** What a {@link PatchHook} is told about the patch it belongs to. */
public interface PatchContext {

  /** The id of the patch being applied or reverted. */
  String patchId();

  /**
   * The classes this patch changes that the hook's class loader had loaded when the patch was
   * applied, in the patch's order. Empty for the hook instance that runs under the system class
   * loader because no class of the patch was loaded anywhere. The same list in every phase.
   */
  List<Class<?>> patchedClasses();

  /**
   * Returns the class with this binary name from {@link #patchedClasses()}, e.g.
   * {@code com.example.Cache$Entry}.
   *
   * @return the class, or {@code null} if the patch does not change it or it was not loaded
   */
  Class<?> patchedClass(String binaryName);

  /**
   * Binary names of this patch's classes that no class loader had loaded when the patch was
   * applied. Such a class is patched as it loads, with no hook call: it never ran the old code,
   * so there is no state of its own for a hook to repair. The same list in every phase.
   */
  List<String> pendingClasses();

  /**
   * Returns shadow field {@code field} the patch adds to {@code owner}, one of {@link #patchedClasses()}.
   *
   * @throws IllegalArgumentException if the patch adds no such field to that class
   */
  Shadow shadow(Class<?> owner, String field);

  /**
   * Writes a line to the agent's log in the target JVM, attributed to the patch.
   *
   * @param message one line of text
   */
  void log(String message);
}
