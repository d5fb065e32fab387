package org.jlivepatch.core.diff;

import org.objectweb.asm.Type;

/**
 * A guard as the patch author names it: {@code CLASS#METHOD} or {@code CLASS#METHOD(DESC)}.
 *
 * @param className binary class name
 * @param method method name
 * @param descriptor JVM method descriptor, or empty for every method of that name
 */
record GuardSpec(String className, String method, String descriptor) {

  /**
   * Parses a guard.
   *
   * @throws IllegalArgumentException naming the guard and what is wrong with it
   */
  static GuardSpec parse(String spec) {
    int hash = spec == null ? -1 : spec.indexOf('#');
    if (hash <= 0 || hash == spec.length() - 1) {
      throw new IllegalArgumentException("guard '" + spec + "' is not CLASS#METHOD or CLASS#METHOD(DESC), "
          + "e.g. com.example.Codec#roundTrip");
    }
    String className = spec.substring(0, hash);
    String rest = spec.substring(hash + 1);
    int paren = rest.indexOf('(');
    String method = paren < 0 ? rest : rest.substring(0, paren);
    String descriptor = paren < 0 ? "" : rest.substring(paren);
    if (className.contains("/") || className.startsWith(".") || className.endsWith(".") || className.contains("..")
        || method.isEmpty() || method.contains(".") || method.contains("/")) {
      throw new IllegalArgumentException("guard '" + spec + "' is not CLASS#METHOD or CLASS#METHOD(DESC) with a "
          + "binary class name, e.g. com.example.Codec#roundTrip");
    }
    if (!descriptor.isEmpty()) {
      try {
        Type type = Type.getMethodType(descriptor);
        type.getArgumentTypes();
        type.getReturnType();
        if (!Type.getMethodDescriptor(type.getReturnType(), type.getArgumentTypes()).equals(descriptor)) {
          throw new IllegalArgumentException(descriptor);
        }
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("guard '" + spec + "': '" + descriptor
            + "' is not a JVM method descriptor, e.g. (Ljava/lang/String;)I");
      }
    }
    return new GuardSpec(className, method, descriptor);
  }

  @Override
  public String toString() {
    return className + "#" + method + descriptor;
  }
}
