package org.jlivepatch.core.model;

import java.util.Objects;

/**
 * A class the payload carries for its hooks: a hook implementation or a helper it uses.
 *
 * @param name the binary class name
 * @param bytes the class file
 * @param entryPoint whether this class implements {@code org.jlivepatch.api.PatchHook} and is
 *     instantiated by the agent (helpers are only loaded on demand)
 */
public record HookClass(String name, byte[] bytes, boolean entryPoint) {

  public HookClass {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bytes, "bytes");
  }
}
