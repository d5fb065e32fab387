package org.jlivepatch.core.source;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jlivepatch.core.model.Renamed;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.Remapper;

/**
 * The names the vendor's javac gave to synthetics (lambda bodies, accessors, anonymous classes)
 * that the recompile numbered differently, so that spliced code calls the vendor's own members.
 */
final class VendorNames {

  /** Internal class names: recompiled to vendor. */
  private final Map<String, String> classes = new HashMap<>();
  /** Vendor internal owner name, then recompiled method name, to the vendor's method name. */
  private final Map<String, Map<String, String>> methods = new HashMap<>();

  /**
   * @param renamed what the differ matched by content comparing the vendor classes (old) with the
   *     recompiled original (new)
   */
  VendorNames(List<Renamed> renamed) {
    for (Renamed entry : renamed) {
      if (entry.kind().equals("anonymous class")) {
        classes.put(internal(entry.newName()), internal(entry.oldName()));
      } else {
        methods.computeIfAbsent(internal(entry.className()), c -> new HashMap<>()).put(entry.newName(), entry.oldName());
      }
    }
  }

  /** The vendor's binary name of a recompiled class. */
  String className(String binaryName) {
    return classes.getOrDefault(internal(binaryName), internal(binaryName)).replace('/', '.');
  }

  /** The vendor's name of a method of a recompiled class. */
  String methodName(String binaryOwner, String name) {
    Map<String, String> owned = methods.get(internal(className(binaryOwner)));
    return owned == null ? name : owned.getOrDefault(name, name);
  }

  /** A recompiled class file with the vendor's names throughout. */
  byte[] apply(byte[] classFile) {
    if (classes.isEmpty() && methods.isEmpty()) {
      return classFile;
    }
    ClassWriter writer = new ClassWriter(0);
    new ClassReader(classFile).accept(new ClassRemapper(writer, new Remapper(Opcodes.ASM9) {
      @Override
      public String map(String internalName) {
        return classes.getOrDefault(internalName, internalName);
      }

      @Override
      public String mapMethodName(String owner, String name, String descriptor) {
        Map<String, String> owned = methods.get(map(owner));
        return owned == null ? name : owned.getOrDefault(name, name);
      }

      @Override
      public String mapInvokeDynamicMethodName(String name, String descriptor) {
        return name;
      }
    }), 0);
    return writer.toByteArray();
  }

  private static String internal(String binaryName) {
    return binaryName.replace('.', '/');
  }
}
