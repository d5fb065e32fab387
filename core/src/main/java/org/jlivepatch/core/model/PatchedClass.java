package org.jlivepatch.core.model;

import java.util.List;
import java.util.Objects;

/**
 * One class a patch changes.
 *
 * @param name the binary class name, e.g. {@code com.example.Foo$Bar}
 * @param baseBytes the class file the patch was built against (kept for review and diagnosis)
 * @param newBytes the class file to switch in: {@code baseBytes} with the bodies of
 *     {@code methods} replaced and nothing else changed
 * @param methods the changed methods, never empty
 */
public record PatchedClass(String name, byte[] baseBytes, byte[] newBytes, List<PatchedMethod> methods) {

  public PatchedClass {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(baseBytes, "baseBytes");
    Objects.requireNonNull(newBytes, "newBytes");
    methods = List.copyOf(methods);
    if (methods.isEmpty()) {
      throw new IllegalArgumentException("class " + name + " has no patched methods");
    }
  }

  /** The class name in internal form, e.g. {@code com/example/Foo$Bar}. */
  public String internalName() {
    return name.replace('.', '/');
  }
}
