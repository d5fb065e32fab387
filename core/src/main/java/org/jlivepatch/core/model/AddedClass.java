package org.jlivepatch.core.model;

import java.util.Objects;

/**
 * A class the fix adds, e.g. a new helper or anonymous class. The agent defines it, as it is, in
 * the class loader and package of {@code host}, before the patch's code can reach it.
 *
 * @param name the binary class name
 * @param bytes the class file
 * @param host the binary name of an existing class of the same package whose loader defines it
 */
public record AddedClass(String name, byte[] bytes, String host) {

  public AddedClass {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(host, "host");
  }
}
