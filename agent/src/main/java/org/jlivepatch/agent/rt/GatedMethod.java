package org.jlivepatch.agent.rt;

import java.util.Objects;

/**
 * A method a {@link Transition} gates, by exact identity: the loaded class that declares it (one
 * class in one loader), its name and its descriptor.
 *
 * @param owner the declaring class
 * @param name the method name
 * @param descriptor the method descriptor, e.g. {@code (Ljava/lang/String;)[B}
 */
public record GatedMethod(Class<?> owner, String name, String descriptor) {

  public GatedMethod {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(descriptor, "descriptor");
  }

  // equals and hashCode written out: a record's own bootstrap method handles (ObjectMethods) on
  // first use, dozens of classes spun in the target at the agent's first per-thread switch.

  @Override
  public boolean equals(Object other) {
    return other instanceof GatedMethod m && owner == m.owner && name.equals(m.name) && descriptor.equals(m.descriptor);
  }

  @Override
  public int hashCode() {
    return (owner.hashCode() * 31 + name.hashCode()) * 31 + descriptor.hashCode();
  }

  /** {@code Owner.name(desc)R}, as messages name methods. */
  @Override
  public String toString() {
    return owner.getName() + "." + name + descriptor;
  }
}
