package org.jlivepatch.core.trampoline;

import java.util.List;
import java.util.Objects;
import org.jlivepatch.core.model.ShadowField;

/**
 * How one class differs between the definition that runs ({@code from}) and the one a transition
 * goes to ({@code to}), as computed by {@link Trampolines#compare}.
 *
 * @param className the class's internal name, e.g. {@code demo/Codec}
 * @param changed keys (name followed by descriptor) of the methods of {@code to} that {@code from}
 *     has with a different fingerprint, in {@code to}'s order
 * @param added keys of the methods only {@code to} has, in {@code to}'s order
 * @param shadowFields the fields only {@code to} has, in {@code to}'s order
 */
public record ClassChange(String className, List<String> changed, List<String> added, List<ShadowField> shadowFields) {

  public ClassChange {
    Objects.requireNonNull(className, "className");
    changed = List.copyOf(changed);
    added = List.copyOf(added);
    shadowFields = List.copyOf(shadowFields);
  }

  /** Whether {@code from} and {@code to} run the same code and declare the same fields. */
  public boolean isEmpty() {
    return changed.isEmpty() && added.isEmpty() && shadowFields.isEmpty();
  }
}
