package org.jlivepatch.core.model;

import java.util.Objects;

/**
 * A field the fix adds to an existing class. Redefinition cannot add fields, so the patch's code
 * keeps the value outside the object: per object in a weakly keyed store, or in one holder when
 * static. Objects that existed before the patch see the field's default value until it is set.
 *
 * @param name the field name
 * @param descriptor the field descriptor, e.g. {@code I}
 * @param isStatic whether the field is static
 */
public record ShadowField(String name, String descriptor, boolean isStatic) {

  public ShadowField {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(descriptor, "descriptor");
  }

  /** The field's key within its class: name, colon, descriptor, e.g. {@code depth:I}. */
  public String key() {
    return name + ":" + descriptor;
  }
}
