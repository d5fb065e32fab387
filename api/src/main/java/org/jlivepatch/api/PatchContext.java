package org.jlivepatch.api;

import java.util.List;

/** What a {@link PatchHook} is told about the patch it belongs to. */
public interface PatchContext {

  /** The id of the patch being applied or reverted. */
  String patchId();

  /**
   * The loaded classes this patch changes in the class loader the hook runs under, in the
   * patch's order; classes not loaded yet are absent.
   */
  List<Class<?>> patchedClasses();

  /**
   * Returns the loaded patched class with this binary name, e.g. {@code com.example.Cache$Entry}.
   *
   * @return the class, or {@code null} if the patch does not change it or it is not loaded yet
   */
  Class<?> patchedClass(String binaryName);

  /**
   * Writes a line to the agent's log in the target JVM, attributed to the patch.
   *
   * @param message one line of text
   */
  void log(String message);
}
