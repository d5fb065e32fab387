package org.jlivepatch.core.diff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jlivepatch.core.classes.ClassSet;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.FieldNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * What the fix adds over the whole difference (methods and fields of existing classes, and new
 * classes), and what a method body uses of it: the facts that decide whether a changed method can
 * stay in place, needs a trampoline, or cannot be carried at all.
 *
 * <p>A member is looked up as the JVM resolves it: an instruction naming {@code Sub.depth} reaches
 * a field the fix adds to {@code Sub}'s superclass. The walk up the hierarchy happens only for a
 * name and descriptor the fix adds somewhere, so the usual instruction costs one hash lookup.
 */
final class Additions {

  /** Internal owner name to the keys (name followed by descriptor) of the methods the fix adds to it. */
  private final Map<String, Set<String>> methods = new HashMap<>();
  /** Internal owner name to the keys (name, colon, descriptor) of the fields the fix adds to it. */
  private final Map<String, Set<String>> fields = new HashMap<>();
  private final Set<String> methodKeys = new HashSet<>();
  private final Set<String> fieldKeys = new HashSet<>();
  /** The names alone, so that most instructions are passed over without building a key. */
  private final Set<String> methodNames = new HashSet<>();
  private final Set<String> fieldNames = new HashSet<>();
  /** Internal names of the classes the fix adds (after renaming). */
  private final Set<String> classes = new HashSet<>();

  private final ClassSet newBuild;
  private final Map<String, java.util.Optional<ClassNode>> headers = new HashMap<>();

  Additions(ClassSet newBuild) {
    this.newBuild = newBuild;
  }

  /**
   * Records the members the new version of a class adds, from their names alone: enough for those
   * other nests can use, which keep their names across builds (unlike renumbered synthetics).
   *
   * @param internalName the class's internal name
   */
  void scan(String internalName, ClassReader oldClass, ClassReader newClass) {
    String[] oldMembers = members(oldClass);
    String[] newMembers = members(newClass);
    if (Arrays.equals(oldMembers, newMembers)) {
      return; // the usual case: the same members in the same order
    }
    Set<String> olds = new HashSet<>();
    for (int i = 0; i < oldMembers.length; i += 3) {
      olds.add(oldMembers[i] + oldMembers[i + 1] + oldMembers[i + 2]);
    }
    for (int i = 0; i < newMembers.length; i += 3) {
      String name = newMembers[i];
      String member = name + newMembers[i + 1] + newMembers[i + 2];
      if (olds.contains(member)) {
        continue;
      }
      if (newMembers[i + 1] == FIELD) {
        fields.computeIfAbsent(internalName, o -> new HashSet<>()).add(member);
        fieldKeys.add(member);
        fieldNames.add(name);
      } else if (SyntheticNames.methodKind(name) == null) {
        methods.computeIfAbsent(internalName, o -> new HashSet<>()).add(member);
        methodKeys.add(member);
        methodNames.add(name);
      }
    }
  }

  /** The separator of a field's key, {@code name:desc}; a method's key, {@code name(desc)}, has none. */
  private static final String FIELD = ":";

  /**
   * A class file's fields and methods as triples (name, separator, descriptor) whose concatenation is
   * the member's key, read straight from its field and method tables: no attribute is parsed, no
   * key is built.
   */
  private static String[] members(ClassReader reader) {
    char[] buffer = new char[reader.getMaxStringLength()];
    int offset = reader.header + 6;
    offset += 2 + 2 * reader.readUnsignedShort(offset);
    String[] members = new String[0];
    int next = 0;
    for (int table = 0; table < 2; table++) {
      int count = reader.readUnsignedShort(offset);
      offset += 2;
      members = Arrays.copyOf(members, next + 3 * count);
      for (int i = 0; i < count; i++) {
        members[next++] = reader.readUTF8(offset + 2, buffer);
        members[next++] = table == 0 ? FIELD : "";
        members[next++] = reader.readUTF8(offset + 4, buffer);
        int attributes = reader.readUnsignedShort(offset + 6);
        offset += 8;
        for (int a = 0; a < attributes; a++) {
          offset += 6 + reader.readInt(offset + 2);
        }
      }
    }
    return members;
  }

  /** Records what the new version of an existing class adds over its old version, renamed synthetics included. */
  void compare(ClassNode oldClass, ClassNode newClass) {
    if (ClassComparer.sameMemberOrder(oldClass, newClass)) {
      return; // the usual case: nothing added, nothing to allocate
    }
    Set<String> oldMethods = new HashSet<>();
    oldClass.methods.forEach(m -> oldMethods.add(m.name + m.desc));
    for (MethodNode method : newClass.methods) {
      String key = method.name + method.desc;
      if (!oldMethods.contains(key)) {
        methods.computeIfAbsent(oldClass.name, o -> new HashSet<>()).add(key);
        methodKeys.add(key);
        methodNames.add(method.name);
      }
    }
    Set<String> oldFields = new HashSet<>();
    oldClass.fields.forEach(f -> oldFields.add(f.name + ":" + f.desc));
    for (FieldNode field : newClass.fields) {
      String key = field.name + ":" + field.desc;
      if (!oldFields.contains(key)) {
        fields.computeIfAbsent(oldClass.name, o -> new HashSet<>()).add(key);
        fieldKeys.add(key);
        fieldNames.add(field.name);
      }
    }
  }

  void addClass(String internalName) {
    classes.add(internalName);
  }

  boolean isAddedClass(String internalName) {
    return classes.contains(internalName);
  }

  /** Whether the fix adds the method {@code key} (name followed by descriptor) to class {@code owner}. */
  boolean isAddedMethod(String owner, String key) {
    Set<String> owned = methods.get(owner);
    return owned != null && owned.contains(key);
  }

  /** Whether the fix adds the field {@code key} (name, colon, descriptor) to class {@code owner}. */
  boolean isAddedField(String owner, String key) {
    Set<String> owned = fields.get(owner);
    return owned != null && owned.contains(key);
  }

  /**
   * What a method body uses of the additions.
   *
   * @param ownMethods added methods of the method's own class it calls or names in a handle, as keys
   * @param otherMethods added methods of other classes, as {@code Owner.name(desc)} in binary names
   * @param shadowFields added fields of any class it reads or writes, as {@code Owner.name:desc}
   * @param newLambdas added methods of its own class that a lambda or method reference it creates
   *     runs (a subset of {@code ownMethods})
   * @param handles the method and field handle constants it loads or passes to a bootstrap method:
   *     the JVM resolves them with the access of the class that holds the code, so some cannot move
   *     into a hidden class
   */
  record Uses(Set<String> ownMethods, Set<String> otherMethods, Set<String> shadowFields, Set<String> newLambdas,
      List<Handle> handles) {

    /** Whether the body needs the patch's hidden class: it uses an added method or field of a patched class. */
    boolean needsTrampoline() {
      return !ownMethods.isEmpty() || !shadowFields.isEmpty();
    }

    /** The added members used, for messages: methods, lambdas and fields. */
    List<String> addedMembers(String ownClass) {
      List<String> all = new ArrayList<>();
      ownMethods.forEach(m -> all.add((newLambdas.contains(m) ? "lambda body " : "method ") + ownClass + "." + m));
      otherMethods.forEach(m -> all.add("method " + m));
      shadowFields.forEach(f -> all.add("field " + f));
      return all;
    }
  }

  /** Scans the body of {@code method} of class {@code owner} (internal name). */
  Uses uses(String owner, MethodNode method) {
    Set<String> own = new LinkedHashSet<>();
    Set<String> other = new LinkedHashSet<>();
    Set<String> shadow = new LinkedHashSet<>();
    Set<String> lambdas = new LinkedHashSet<>();
    List<Handle> handles = new ArrayList<>(0);
    for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
      if (insn instanceof MethodInsnNode call) {
        method(owner, call.owner, call.name, call.desc, own, other, null);
      } else if (insn instanceof FieldInsnNode access && fieldNames.contains(access.name)) {
        String declaring = declaringField(access.owner, access.name + ":" + access.desc);
        if (declaring != null) {
          shadow.add(binary(declaring) + "." + access.name + ":" + access.desc);
        }
      } else if (insn instanceof InvokeDynamicInsnNode indy) {
        handle(owner, indy.bsm, own, other, null);
        handles.add(indy.bsm);
        for (Object argument : indy.bsmArgs) {
          if (argument instanceof Handle handle) {
            handle(owner, handle, own, other, lambdas);
            handles.add(handle);
          }
        }
      } else if (insn instanceof LdcInsnNode ldc && ldc.cst instanceof Handle handle) {
        handle(owner, handle, own, other, null);
        handles.add(handle);
      }
    }
    return new Uses(own, other, shadow, lambdas, handles);
  }

  private void handle(String owner, Handle handle, Set<String> own, Set<String> other, Set<String> lambdas) {
    if (handle.getTag() <= Opcodes.H_PUTSTATIC) {
      return; // field handles: javac does not create them; a shadow field cannot be one
    }
    method(owner, handle.getOwner(), handle.getName(), handle.getDesc(), own, other, lambdas);
  }

  private void method(String owner, String callOwner, String name, String desc, Set<String> own, Set<String> other,
      Set<String> lambdas) {
    if (!methodNames.contains(name)) {
      return;
    }
    String key = name + desc;
    if (!methodKeys.contains(key)) {
      return;
    }
    String declaring = declaringMethod(callOwner, key);
    if (declaring == null) {
      return;
    }
    if (declaring.equals(owner)) {
      own.add(key);
      if (lambdas != null) {
        lambdas.add(key);
      }
    } else {
      other.add(binary(declaring) + "." + key);
    }
  }

  /** The class the fix adds field {@code key} to that an access through {@code owner} reaches, or null. */
  private String declaringField(String owner, String key) {
    if (!fieldKeys.contains(key)) {
      return null;
    }
    Set<String> seen = new HashSet<>();
    List<String> pending = new ArrayList<>(List.of(owner));
    while (!pending.isEmpty()) {
      String name = pending.remove(0);
      if (!seen.add(name)) {
        continue;
      }
      if (isAddedField(name, key)) {
        return name;
      }
      ClassNode header = header(name);
      if (header == null || header.fields.stream().anyMatch(f -> key.equals(f.name + ":" + f.desc))) {
        continue; // declared here, as it was before the fix, or unknown
      }
      // Fields resolve through interfaces before the superclass.
      pending.addAll(header.interfaces);
      if (header.superName != null) {
        pending.add(header.superName);
      }
    }
    return null;
  }

  /** The class the fix adds method {@code key} to that a call through {@code owner} reaches, or null. */
  private String declaringMethod(String owner, String key) {
    Set<String> seen = new HashSet<>();
    List<String> pending = new ArrayList<>(List.of(owner));
    while (!pending.isEmpty()) {
      String name = pending.remove(0);
      if (!seen.add(name)) {
        continue;
      }
      if (isAddedMethod(name, key)) {
        return name;
      }
      ClassNode header = header(name);
      if (header == null || header.methods.stream().anyMatch(m -> key.equals(m.name + m.desc))) {
        continue;
      }
      if (header.superName != null) {
        pending.add(header.superName);
      }
      pending.addAll(header.interfaces);
    }
    return null;
  }

  /** A new-build class's members without code, or null if the new build does not have it. */
  private ClassNode header(String internalName) {
    return headers.computeIfAbsent(internalName, name -> {
      byte[] bytes = newBuild.classes().get(name.replace('/', '.'));
      if (bytes == null) {
        return java.util.Optional.empty();
      }
      ClassNode node = new ClassNode();
      new ClassReader(bytes).accept(node, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
      return java.util.Optional.of(node);
    }).orElse(null);
  }

  static String binary(String internalName) {
    return internalName.replace('/', '.');
  }
}
