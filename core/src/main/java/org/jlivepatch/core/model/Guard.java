package org.jlivepatch.core.model;

import java.util.Objects;

/**
 * A method outside the patch that a thread must not be running when it switches to the patch's
 * code, so that a call chain through it never mixes old and new versions of the patch's methods.
 *
 * @param className binary class name
 * @param method method name
 * @param descriptor method descriptor
 * @param reason why it guards: the patched methods it calls, or that the patch author named it
 */
public record Guard(String className, String method, String descriptor, String reason) {

  public Guard {
    Objects.requireNonNull(className, "className");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(reason, "reason");
  }
}
