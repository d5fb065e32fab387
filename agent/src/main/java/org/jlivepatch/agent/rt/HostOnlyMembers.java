package org.jlivepatch.agent.rt;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jlivepatch.core.trampoline.Trampolines;

/**
 * The members of a patched class's superclasses that only the class itself may use, not its
 * hidden class: the protected ones of every superclass in another run-time package (another
 * package name, or the same name in another class loader), {@code java.lang.Object}'s included.
 * The hidden class reaches them through {@code host} call sites.
 */
final class HostOnlyMembers {

  /** Per superclass, its protected members (they never change: redefinition cannot change members). */
  private static final ClassValue<Set<String>> DECLARED = new ClassValue<>() {
    @Override
    protected Set<String> computeValue(Class<?> type) {
      return Collections.unmodifiableSet(declared(type));
    }
  };

  private HostOnlyMembers() {}

  /**
   * The protected members, as {@code name+desc} and {@code name:desc} for fields, of the
   * superclasses of {@code type} outside its run-time package. An interface has none it may use.
   *
   * @throws IllegalStateException naming the superclass if its members cannot be read
   */
  static Set<String> of(Class<?> type) {
    if (type.isInterface()) {
      return Set.of();
    }
    Set<String> members = new LinkedHashSet<>();
    for (Class<?> superclass = type.getSuperclass(); superclass != null; superclass = superclass.getSuperclass()) {
      boolean samePackage = superclass.getClassLoader() == type.getClassLoader()
          && superclass.getPackageName().equals(type.getPackageName());
      if (!samePackage) {
        members.addAll(DECLARED.get(superclass));
      }
    }
    return members;
  }

  /**
   * From the class file as its loader has it, which needs no class loading; if it has none, from
   * reflection, which loads the types of the members.
   */
  private static Set<String> declared(Class<?> type) {
    String resource = "/" + type.getName().replace('.', '/') + ".class";
    try (InputStream in = type.getResourceAsStream(resource)) {
      if (in != null) {
        return new LinkedHashSet<>(Trampolines.protectedMembers(in.readAllBytes()));
      }
    } catch (IOException | RuntimeException e) {
      // read through reflection below
    }
    try {
      Set<String> members = new LinkedHashSet<>();
      for (Field field : type.getDeclaredFields()) {
        if (Modifier.isProtected(field.getModifiers())) {
          members.add(field.getName() + ":" + field.getType().descriptorString());
        }
      }
      for (Method method : type.getDeclaredMethods()) {
        if (Modifier.isProtected(method.getModifiers())) {
          members.add(method.getName()
              + MethodType.methodType(method.getReturnType(), method.getParameterTypes()).toMethodDescriptorString());
        }
      }
      return members;
    } catch (RuntimeException | LinkageError e) {
      throw new IllegalStateException("cannot read the members of " + type.getName() + " in loader "
          + Loaders.describe(type.getClassLoader()) + ": neither its class file nor reflection answers (" + e + ")", e);
    }
  }
}
