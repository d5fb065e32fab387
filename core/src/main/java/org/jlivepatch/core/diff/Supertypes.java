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
