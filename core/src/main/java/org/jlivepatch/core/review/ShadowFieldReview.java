package org.jlivepatch.core.review;

import java.util.Objects;
import org.jlivepatch.core.model.ShadowField;

/**
 * A field the fix adds to an existing class, as a reviewer must see it: it becomes a shadow field.
 *
 * @param className binary name of the class the fix adds it to
 * @param field the field
 */
public record ShadowFieldReview(String className, ShadowField field) {

  public ShadowFieldReview {
    Objects.requireNonNull(className, "className");
    Objects.requireNonNull(field, "field");
  }

  /** The field as {@code com.example.Parser.depth:I}. */
  public String qualifiedName() {
    return className + "." + field.key();
  }

  /**
   * What becoming a shadow field means, in one sentence starting with the field, e.g.
   * {@code com.example.Parser.depth:I becomes a shadow field: ...}.
   */
  public String text() {
    String initial = defaultValue(field.descriptor());
    if (field.isStatic()) {
      return qualifiedName() + " becomes a static shadow field: the patch's code keeps its value in one holder "
          + "outside the class, which starts at " + initial + " (its initializer, if any, does not run); a hook can "
          + "set it";
    }
    return qualifiedName() + " becomes a shadow field: the patch's code keeps its value outside the objects, weakly "
        + "keyed by identity; objects that exist before the patch see " + initial + " until it is set; a hook can "
        + "initialise it";
  }

  private static String defaultValue(String descriptor) {
    return switch (descriptor.charAt(0)) {
      case 'Z' -> "false";
      case 'C' -> "'\\u0000'";
      case 'B', 'S', 'I', 'J' -> "0";
      case 'F', 'D' -> "0.0";
      default -> "null";
    };
  }
}
