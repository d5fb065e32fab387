package org.jlivepatch.core.splice;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldNode;
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
    return logical(target, sourceNode, methodKeys, List.of(), List.of());
  }

  /**
   * Returns the logical class a patch leaves: {@code target} with the methods named by
   * {@code methodKeys} replaced by their counterparts in {@code source}, then the methods named by
   * {@code addedMethodKeys} and the fields named by {@code addedFieldKeys} copied from
   * {@code source} and appended, in that order. Such a class is never redefined as it is when it
   * adds members (redefinition cannot); it records what the patch's code sees.
   *
   * @param sourceNode the source class, read in full (flags 0); not changed
   * @param addedMethodKeys methods as name followed by descriptor that {@code target} lacks
   * @param addedFieldKeys fields as name, colon, descriptor, e.g. {@code depth:I}, that
   *     {@code target} lacks
   * @throws IllegalArgumentException if the classes differ in name, a method or field is missing
   *     from the source, a replaced method from the target, or an added one is already in the target
   */
  public static byte[] logical(byte[] target, ClassNode sourceNode, Collection<String> methodKeys,
      Collection<String> addedMethodKeys, Collection<String> addedFieldKeys) {
    return logical(new ClassReader(target), sourceNode, methodKeys, addedMethodKeys, addedFieldKeys);
  }

  /**
   * {@link #logical(byte[], ClassNode, Collection, Collection, Collection)} of a target the caller
   * has a reader of already, which keeps the strings it decoded: the result is the same.
   */
  public static byte[] logical(ClassReader targetReader, ClassNode sourceNode, Collection<String> methodKeys,
      Collection<String> addedMethodKeys, Collection<String> addedFieldKeys) {
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
    Map<String, MethodNode> addedMethods = new LinkedHashMap<>();
    for (MethodNode method : sourceNode.methods) {
      if (addedMethodKeys.contains(method.name + method.desc)) {
        addedMethods.put(method.name + method.desc, method);
      }
    }
    Map<String, FieldNode> addedFields = new LinkedHashMap<>();
    for (FieldNode field : sourceNode.fields) {
      if (addedFieldKeys.contains(field.name + ":" + field.desc)) {
        addedFields.put(field.name + ":" + field.desc, field);
      }
    }
    Set<String> missing = new LinkedHashSet<>(methodKeys);
    missing.removeAll(replacements.keySet());
    missing.addAll(addedMethodKeys);
    missing.removeAll(addedMethods.keySet());
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("method " + sourceNode.name + "." + missing.iterator().next()
          + " is missing from the source class");
    }
    missing.addAll(addedFieldKeys);
    missing.removeAll(addedFields.keySet());
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("field " + sourceNode.name + "." + missing.iterator().next()
          + " is missing from the source class");
    }

    // Sharing the reader lets ASM copy the constant pool and every untouched method verbatim.
    ClassWriter writer = new ClassWriter(targetReader, 0);
    Set<String> replaced = new LinkedHashSet<>();
    targetReader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
      @Override
      public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
        if (addedFields.containsKey(name + ":" + descriptor)) {
          throw new IllegalArgumentException("field " + sourceNode.name + "." + name + ":" + descriptor
              + " to be added is already in the target class");
        }
        return super.visitField(access, name, descriptor, signature, value);
      }

      @Override
      public MethodVisitor visitMethod(
          int access, String name, String descriptor, String signature, String[] exceptions) {
        if (addedMethods.containsKey(name + descriptor)) {
          throw new IllegalArgumentException("method " + sourceNode.name + "." + name + descriptor
              + " to be added is already in the target class");
        }
        MethodNode replacement = replacements.get(name + descriptor);
        if (replacement == null) {
          return super.visitMethod(access, name, descriptor, signature, exceptions);
        }
        replacement.accept(writer);
        replaced.add(name + descriptor);
        return null;
      }

      @Override
      public void visitEnd() {
        // Fields before methods, as javac orders members; the class file allows any order.
        addedFields.values().forEach(field -> field.accept(writer));
        addedMethods.values().forEach(method -> method.accept(writer));
        super.visitEnd();
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
