package org.jlivepatch.core.splice;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Builds a class file from a target class with some of its methods taken from a source class.
 *
 * <p>This is the JVM analog of taking only the changed functions into a live patch: every other
 * method, field and attribute of the target stays exactly as it was, down to the bytes of the
 * untouched methods, so the result can be switched in over the target without carrying along
 * unrelated compiler differences. A replaced method is written at the target method's position
 * with everything the source method has (body, frames, debug information, annotations).
 */
public final class ClassSplicer {

  private ClassSplicer() {}

  /**
   * Returns {@code target} with the methods named by {@code methodKeys} replaced by their
   * counterparts in {@code source}.
   *
   * @param target the class file to change
   * @param source a class file of the same class holding the replacement methods
   * @param methodKeys methods as name followed by descriptor, e.g. {@code parse(I)V}
   * @throws IllegalArgumentException if the classes differ in name, or a method is missing from
   *     either class
   */
  public static byte[] splice(byte[] target, byte[] source, Collection<String> methodKeys) {
    ClassNode sourceNode = new ClassNode();
    new ClassReader(source).accept(sourceNode, 0);
    return splice(target, sourceNode, methodKeys);
  }

  /**
   * Returns {@code target} with the methods named by {@code methodKeys} replaced by their
   * counterparts in {@code source}, a class the caller has already read in full (flags 0), so that
   * it is not read twice; {@code source} is not changed.
   *
   * @throws IllegalArgumentException as {@link #splice(byte[], byte[], Collection)}
   */
  public static byte[] splice(byte[] target, ClassNode sourceNode, Collection<String> methodKeys) {
    ClassReader targetReader = new ClassReader(target);
    if (!sourceNode.name.equals(targetReader.getClassName())) {
      throw new IllegalArgumentException(
          "cannot splice methods of " + sourceNode.name + " into " + targetReader.getClassName());
    }
    Map<String, MethodNode> replacements = new HashMap<>();
    for (MethodNode method : sourceNode.methods) {
      if (methodKeys.contains(method.name + method.desc)) {
        replacements.put(method.name + method.desc, method);
      }
    }
    Set<String> missing = new LinkedHashSet<>(methodKeys);
    missing.removeAll(replacements.keySet());
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("method " + sourceNode.name + "." + missing.iterator().next()
          + " is missing from the source class");
    }

    // Sharing the reader lets ASM copy the constant pool and every untouched method verbatim.
    ClassWriter writer = new ClassWriter(targetReader, 0);
    Set<String> replaced = new LinkedHashSet<>();
    targetReader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
      @Override
      public MethodVisitor visitMethod(
          int access, String name, String descriptor, String signature, String[] exceptions) {
        MethodNode replacement = replacements.get(name + descriptor);
        if (replacement == null) {
          return super.visitMethod(access, name, descriptor, signature, exceptions);
        }
        replacement.accept(writer);
        replaced.add(name + descriptor);
        return null;
      }
    }, 0);
    if (replaced.size() != replacements.size()) {
      Set<String> absent = new LinkedHashSet<>(replacements.keySet());
      absent.removeAll(replaced);
      throw new IllegalArgumentException("method " + sourceNode.name + "." + absent.iterator().next()
          + " is missing from the target class");
    }
    return writer.toByteArray();
  }
}
