package org.jlivepatch.core.model;

/** How a patched method reaches the running JVM. */
public enum ChangeKind {
  /** The method keeps its name and descriptor; its body is replaced by class redefinition. */
  IN_PLACE("in-place"),

  /**
   * The method keeps its name and descriptor; its new body uses members the fix adds, so it runs in
   * the patch's hidden nestmate class and the method itself becomes an entry redirect.
   */
  TRAMPOLINE("trampoline"),

  /** The fix adds the method (a helper or a lambda body); it exists only in the patch's hidden nestmate class. */
  ADDED("added");

  private final String label;

  ChangeKind(String label) {
    this.label = label;
  }

  /** The stable name used in payload manifests and JSON output. */
  public String label() {
    return label;
  }

  /**
   * Returns the kind with the given {@link #label()}.
   *
   * @throws IllegalArgumentException if no kind has this label
   */
  public static ChangeKind ofLabel(String label) {
    for (ChangeKind kind : values()) {
      if (kind.label.equals(label)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown change kind '" + label + "'");
  }
}
