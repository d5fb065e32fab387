package org.jlivepatch.core.diff;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jlivepatch.core.classes.ClassSet;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * The old build's type hierarchy, read lazily: whether a method the fix adds would override one of
 * a supertype. Supertypes outside the build (the JDK's) are read from the platform class loader's
 * class files, when it has them.
 */
final class Supertypes {

  private final ClassSet oldBuild;
  private final Map<String, Optional<ClassNode>> headers = new HashMap<>();

  Supertypes(ClassSet oldBuild) {
    this.oldBuild = oldBuild;
  }

  /**
   * The method a new instance method {@code name desc} of {@code node} would override, as
   * {@code Owner.name(desc)} in binary names, or null if no known supertype declares a
   * non-private, non-static method with that name and descriptor.
   */
  String overridden(ClassNode node, String name, String desc) {
    Set<String> seen = new HashSet<>();
    List<String> pending = new ArrayList<>();
    if (node.superName != null) {
      pending.add(node.superName);
    }
    pending.addAll(node.interfaces);
    while (!pending.isEmpty()) {
      String type = pending.remove(0);
      if (!seen.add(type)) {
        continue;
      }
      ClassNode header = header(type);
      if (header == null) {
        continue;
      }
      for (MethodNode method : header.methods) {
        if (method.name.equals(name) && method.desc.equals(desc)
            && (method.access & (Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC)) == 0) {
          return type.replace('/', '.') + "." + name + desc;
        }
      }
      if (header.superName != null) {
        pending.add(header.superName);
      }
      pending.addAll(header.interfaces);
    }
    return null;
  }

  /**
   * Whether a reference to member {@code name desc} through {@code owner}, made by {@code node}'s
   * code, may reach a protected member of a superclass of {@code node} in another package: the
   * superclass's binary name, or null. A member {@code node} declares itself, named through
   * {@code node}, is its own; superclasses outside the old build and the platform are not known.
   */
  String protectedOutsidePackage(ClassNode node, String owner, String name, String desc, boolean field) {
    if (owner.startsWith("[")) {
      return null;
    }
    if (owner.equals(node.name) && (field ? node.fields.stream().anyMatch(f -> f.name.equals(name) && f.desc.equals(desc))
        : node.methods.stream().anyMatch(m -> m.name.equals(name) && m.desc.equals(desc)))) {
      return null;
    }
    String pkg = packageOf(node.name);
    Set<String> seen = new HashSet<>();
    for (String type = node.superName; type != null && seen.add(type); ) {
      ClassNode header = header(type);
      if (header == null) {
        return null;
      }
      if (!packageOf(type).equals(pkg)) {
        boolean declared = field
            ? header.fields.stream().anyMatch(f -> f.name.equals(name) && f.desc.equals(desc)
                && (f.access & Opcodes.ACC_PROTECTED) != 0)
            : header.methods.stream().anyMatch(m -> m.name.equals(name) && m.desc.equals(desc)
                && (m.access & Opcodes.ACC_PROTECTED) != 0);
        if (declared) {
          return type.replace('/', '.');
        }
      }
      type = header.superName;
    }
    return null;
  }

  private static String packageOf(String internalName) {
    int slash = internalName.lastIndexOf('/');
    return slash < 0 ? "" : internalName.substring(0, slash);
  }

  private ClassNode header(String internalName) {
    return headers.computeIfAbsent(internalName, name -> {
      byte[] bytes = oldBuild.classes().get(name.replace('/', '.'));
      if (bytes == null) {
        bytes = platformClass(name);
      }
      if (bytes == null) {
        return Optional.empty();
      }
      ClassNode node = new ClassNode();
      try {
        new ClassReader(bytes).accept(node, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
      } catch (RuntimeException e) {
        return Optional.empty();
      }
      return Optional.of(node);
    }).orElse(null);
  }

  private static byte[] platformClass(String internalName) {
    try (InputStream in = ClassLoader.getPlatformClassLoader().getResourceAsStream(internalName + ".class")) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
