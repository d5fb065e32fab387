package org.jlivepatch.core.model;

import java.util.Objects;

/**
 * One method a patch changes.
 *
 * @param name the method name, e.g. {@code parse} or {@code <init>}
 * @param descriptor the JVM method descriptor, e.g. {@code (Ljava/lang/String;)I}
 * @param kind how the change is switched in
 * @param expectedFingerprint the fingerprint of the method the patch was built against; the
 *     running method must have it (see {@code org.jlivepatch.core.fingerprint.Fingerprints});
 *     empty for an {@link ChangeKind#ADDED added} method, which the running class must not have
 * @param newFingerprint the fingerprint of the method once the patch is applied
 */
public record PatchedMethod(
    String name, String descriptor, ChangeKind kind, String expectedFingerprint, String newFingerprint) {

  public PatchedMethod {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(expectedFingerprint, "expectedFingerprint");
    Objects.requireNonNull(newFingerprint, "newFingerprint");
  }

  /** The method's key within its class: name followed by descriptor, e.g. {@code parse(I)V}. */
  public String key() {
    return name + descriptor;
  }
}
