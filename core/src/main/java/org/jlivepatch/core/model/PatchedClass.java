package org.jlivepatch.core.model;

import java.util.List;
import java.util.Objects;

/**
 * One class a patch changes.
 *
 * @param name the binary class name, e.g. {@code com.example.Foo$Bar}
 * @param baseBytes the class file the patch was built against (kept for review and diagnosis)
 * @param newBytes the class as the patch leaves it: {@code baseBytes} with the bodies of
 *     {@code methods} replaced, the {@link ChangeKind#ADDED added} methods and the shadow fields
 *     appended, and nothing else changed. When it adds nothing it is the class file switched in;
 *     otherwise it is never loaded as such, and the agent derives the trampolines from it
 * @param methods the changed and added methods
 * @param shadowFields the fields the fix adds, kept outside the objects at run time
 */
public record PatchedClass(String name, byte[] baseBytes, byte[] newBytes, List<PatchedMethod> methods,
    List<ShadowField> shadowFields) {

  public PatchedClass {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(baseBytes, "baseBytes");
    Objects.requireNonNull(newBytes, "newBytes");
    methods = List.copyOf(methods);
    shadowFields = List.copyOf(shadowFields);
    if (methods.isEmpty() && shadowFields.isEmpty()) {
      throw new IllegalArgumentException("class " + name + " has no patched methods and no shadow fields");
    }
  }

  /** A class whose patch only replaces method bodies. */
  public PatchedClass(String name, byte[] baseBytes, byte[] newBytes, List<PatchedMethod> methods) {
    this(name, baseBytes, newBytes, methods, List.of());
  }

  /** Whether the patch adds methods or fields to this class, which only trampolines can carry. */
  public boolean needsTrampoline() {
    return !shadowFields.isEmpty() || methods.stream().anyMatch(m -> m.kind() != ChangeKind.IN_PLACE);
  }

  /** The class name in internal form, e.g. {@code com/example/Foo$Bar}. */
  public String internalName() {
    return name.replace('.', '/');
  }
}
