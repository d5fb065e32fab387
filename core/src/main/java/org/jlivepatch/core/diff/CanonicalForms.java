package org.jlivepatch.core.diff;

import java.util.IdentityHashMap;
import java.util.Map;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.objectweb.asm.tree.MethodNode;

/**
 * The {@link Fingerprints#canonicalForm} of methods, computed once per method node. Two methods
 * have equal fingerprints exactly when their canonical forms are equal, so comparing the forms
 * spares hashing every method; only the patched ones are hashed.
 */
final class CanonicalForms {

  private final Map<MethodNode, String> forms = new IdentityHashMap<>();

  String of(MethodNode method) {
    return forms.computeIfAbsent(method, Fingerprints::canonicalForm);
  }

  /** Forgets the nodes of classes that will not be looked at again. */
  void clear() {
    forms.clear();
  }
}
