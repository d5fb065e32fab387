package org.jlivepatch.agent.rt;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;

/** Compares running method code with what a patch expects (check 4). */
final class Expectations {

  private Expectations() {}

  /** The method keys ({@code name+descriptor}) a patched class changes. */
  static List<String> keys(PatchedClass patchedClass) {
    return patchedClass.methods().stream().map(PatchedMethod::key).toList();
  }

  /**
   * Returns a one-line description of the first patched method whose running code is not the
   * code the patch was built against, or empty when all match.
   */
  static Optional<String> firstMismatch(byte[] running, PatchedClass patchedClass, ClassLoader loader) {
    return firstMismatch(Fingerprints.ofClass(running), patchedClass, loader, false);
  }

  /**
   * Like {@link #firstMismatch(byte[], PatchedClass, ClassLoader)}, against the methods' new
   * fingerprints when {@code patched} is true (a revert checks the patch is still what runs).
   */
  static Optional<String> firstMismatch(Map<String, String> running, PatchedClass patchedClass, ClassLoader loader,
      boolean patched) {
    for (PatchedMethod method : patchedClass.methods()) {
      String actual = running.get(method.key());
      if (method.kind() == ChangeKind.ADDED) {
        if (actual != null && !patched) {
          return Optional.of("method " + patchedClass.name() + "." + method.name() + method.descriptor()
              + " in loader " + Loaders.describe(loader) + " already exists, but the patch adds it");
        }
        continue;
      }
      String expected = patched ? method.newFingerprint() : method.expectedFingerprint();
      String where = patchedClass.name() + "." + method.name() + method.descriptor() + " in loader "
          + Loaders.describe(loader);
      if (actual == null) {
        return Optional.of("method " + where + " does not exist in the running class");
      }
      if (!actual.equals(expected)) {
        return Optional.of("method " + where + (patched
            ? " was changed since the patch was applied (running " + actual + ", patch installed " + expected + ")"
            : " is not the code the patch was built against (running " + actual + ", expected " + expected + ")"));
      }
    }
    return Optional.empty();
  }
}
