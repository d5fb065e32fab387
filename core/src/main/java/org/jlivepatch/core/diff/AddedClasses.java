package org.jlivepatch.core.diff;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.model.AddedClass;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
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
 * Classifies the classes the fix adds. Each is defined, as it is, in the class loader and package
 * of a host: an existing class of its package, its nest host or an enclosing class when the old
 * build has one. It cannot join the running nest of its host (redefinition cannot change
 * NestMembers), so it becomes a nest of its own: its NestHost attribute is dropped and its private
 * members made package-private (public in an interface), for the patch's code in the host's nest to
 * reach them; its own use of private members of that nest is refused. Code in an added class runs
 * as compiled, so it cannot reach the methods and fields the fix adds to existing classes (those
 * exist only in the patch's hidden classes): refused too.
 */
final class AddedClasses {

  private static final String RESTART = "restart the application with the new build";

  private final ClassSet oldBuild;
  private final Additions additions;
  private final Findings findings;
  private final Map<String, ClassNode> oldHeaders = new TreeMap<>();

  AddedClasses(ClassSet oldBuild, Additions additions, Findings findings) {
    this.oldBuild = oldBuild;
    this.additions = additions;
    this.findings = findings;
  }

  /**
   * Classifies the added classes and records those that can be carried in {@code findings}, each
   * class after its supertypes that the fix adds too, so that defining them in order resolves.
   *
   * @param added internal name to the class as read (with the renaming applied)
   * @param patchedClasses binary names of the classes the patch changes, preferred as hosts
   */
  void classify(Map<String, ClassNode> added, Set<String> patchedClasses) {
    Map<String, AddedClass> carried = new LinkedHashMap<>();
    for (Map.Entry<String, ClassNode> entry : new TreeMap<>(added).entrySet()) {
      ClassNode node = entry.getValue();
      String name = Additions.binary(entry.getKey());
      String host = host(node, patchedClasses);
      if (host == null) {
        String pkg = packageOf(name);
        findings.refuse(name, "", "added class: the old build has no class in package "
            + (pkg.isEmpty() ? "(the default package)" : pkg) + ", so there is no running class loader and package "
            + "to define it in; move it into the package of a class the fix changes, or " + RESTART);
        continue;
      }
      if (!checkUses(name, node, added.keySet())) {
        continue;
      }
      carried.put(entry.getKey(), new AddedClass(name, definable(node, added.keySet()), host));
    }
    Set<String> ordered = new LinkedHashSet<>();
    Set<String> visiting = new java.util.HashSet<>();
    carried.keySet().forEach(name -> order(name, added, carried.keySet(), visiting, ordered));
    ordered.forEach(name -> findings.addedClasses.add(carried.get(name)));
  }

  /** Adds {@code name} to {@code ordered} after its superclass and interfaces among {@code carried}. */
  private static void order(String name, Map<String, ClassNode> added, Set<String> carried, Set<String> visiting,
      Set<String> ordered) {
    if (ordered.contains(name) || !carried.contains(name) || !visiting.add(name)) {
      return; // done, not carried, or a cycle (which the JVM refuses anyway)
    }
    ClassNode node = added.get(name);
    List<String> supertypes = new ArrayList<>();
    if (node.superName != null) {
      supertypes.add(node.superName);
    }
    supertypes.addAll(node.interfaces);
    for (String supertype : supertypes) {
      order(supertype, added, carried, visiting, ordered);
    }
    ordered.add(name);
  }

  /** The existing class whose loader and package define {@code node}, as a binary name, or null. */
  private String host(ClassNode node, Set<String> patchedClasses) {
    String pkg = packageOf(node.name.replace('/', '.'));
    List<String> candidates = new ArrayList<>();
    if (node.nestHostClass != null) {
      candidates.add(node.nestHostClass);
    }
    if (node.outerClass != null) {
      candidates.add(node.outerClass);
    }
    for (int dollar = node.name.lastIndexOf('$'); dollar > node.name.lastIndexOf('/') + 1;
        dollar = node.name.lastIndexOf('$', dollar - 1)) {
      candidates.add(node.name.substring(0, dollar));
    }
    for (String candidate : candidates) {
      String binary = Additions.binary(candidate);
      if (oldBuild.classes().containsKey(binary) && packageOf(binary).equals(pkg)) {
        return binary;
      }
    }
    for (String patched : new java.util.TreeSet<>(patchedClasses)) {
      if (packageOf(patched).equals(pkg)) {
        return patched;
      }
    }
    for (String existing : oldBuild.classes().keySet()) {
      if (packageOf(existing).equals(pkg) && !existing.endsWith("module-info") && !existing.endsWith("package-info")) {
        return existing;
      }
    }
    return null;
  }

  /**
   * Whether the code of an added class can run as compiled: it uses no method or field the fix adds
   * to an existing class, and no private member of an existing class (it is not a nestmate of any).
   */
  private boolean checkUses(String name, ClassNode node, Set<String> addedNames) {
    Set<String> addedMembers = new LinkedHashSet<>();
    Set<String> privates = new LinkedHashSet<>();
    for (MethodNode method : node.methods) {
      Additions.Uses uses = additions.uses(node.name, method);
      addedMembers.addAll(uses.addedMembers(name));
      for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
        if (insn instanceof MethodInsnNode call) {
          privateMember(call.owner, call.name, call.desc, true, addedNames, privates);
        } else if (insn instanceof FieldInsnNode access) {
          privateMember(access.owner, access.name, access.desc, false, addedNames, privates);
        } else if (insn instanceof InvokeDynamicInsnNode indy) {
          for (Object argument : indy.bsmArgs) {
            if (argument instanceof Handle handle) {
              privateMember(handle.getOwner(), handle.getName(), handle.getDesc(),
                  handle.getTag() > Opcodes.H_PUTSTATIC, addedNames, privates);
            }
          }
        } else if (insn instanceof LdcInsnNode ldc && ldc.cst instanceof Handle handle) {
          privateMember(handle.getOwner(), handle.getName(), handle.getDesc(), handle.getTag() > Opcodes.H_PUTSTATIC,
              addedNames, privates);
        }
      }
    }
    boolean carried = true;
    if (!addedMembers.isEmpty()) {
      findings.refuse(name, "", "added class uses what the fix adds to existing classes (" + String.join(", ",
          addedMembers) + "): those live only in the patch's hidden classes, which an added class, defined as "
          + "compiled, cannot reach; move the code that uses them into the class that has them, or " + RESTART);
      carried = false;
    }
    if (!privates.isEmpty()) {
      findings.refuse(name, "", "added class uses private " + String.join(", ", privates) + ": it cannot join the "
          + "running nest of that class (redefinition cannot change a class's nest members), so private access "
          + "fails; move the code that needs it into that class (the patch's code there reaches its private "
          + "members), or " + RESTART);
      carried = false;
    }
    return carried;
  }

  private void privateMember(String owner, String name, String desc, boolean method, Set<String> addedNames,
      Set<String> privates) {
    if (addedNames.contains(owner) || owner.startsWith("[")) {
      return;
    }
    ClassNode header = oldHeader(owner);
    if (header == null) {
      return;
    }
    if (method) {
      for (MethodNode m : header.methods) {
        if (m.name.equals(name) && m.desc.equals(desc) && (m.access & Opcodes.ACC_PRIVATE) != 0) {
          privates.add("method " + Additions.binary(owner) + "." + name + desc);
        }
      }
    } else {
      for (FieldNode f : header.fields) {
        if (f.name.equals(name) && f.desc.equals(desc) && (f.access & Opcodes.ACC_PRIVATE) != 0) {
          privates.add("field " + Additions.binary(owner) + "." + name + ":" + desc);
        }
      }
    }
  }

  private ClassNode oldHeader(String internalName) {
    if (oldHeaders.containsKey(internalName)) {
      return oldHeaders.get(internalName);
    }
    byte[] bytes = oldBuild.classes().get(Additions.binary(internalName));
    ClassNode node = null;
    if (bytes != null) {
      node = new ClassNode();
      new ClassReader(bytes).accept(node, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    }
    oldHeaders.put(internalName, node);
    return node;
  }

  /**
   * The class file to define: when its nest host is an existing class, without the NestHost
   * attribute and with private members opened to the package, since it forms a nest of its own.
   */
  private static byte[] definable(ClassNode node, Set<String> addedNames) {
    ClassWriter writer = new ClassWriter(0);
    boolean ownNest = node.nestHostClass != null && !addedNames.contains(node.nestHostClass);
    int opened = (node.access & Opcodes.ACC_INTERFACE) != 0 ? Opcodes.ACC_PUBLIC : 0;
    node.accept(new ClassVisitor(Opcodes.ASM9, writer) {
      @Override
      public void visitNestHost(String nestHost) {
        if (!ownNest) {
          super.visitNestHost(nestHost);
        }
      }

      @Override
      public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
        return super.visitField(open(access), name, descriptor, signature, value);
      }

      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
          String[] exceptions) {
        return super.visitMethod(open(access), name, descriptor, signature, exceptions);
      }

      private int open(int access) {
        return ownNest && (access & Opcodes.ACC_PRIVATE) != 0 ? access & ~Opcodes.ACC_PRIVATE | opened : access;
      }
    });
    return writer.toByteArray();
  }

  private static String packageOf(String binaryName) {
    int dot = binaryName.lastIndexOf('.');
    return dot < 0 ? "" : binaryName.substring(0, dot);
  }
}
