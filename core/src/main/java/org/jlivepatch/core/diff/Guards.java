package org.jlivepatch.core.diff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.Guard;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Finds the guards of a patch: every method of the old build outside the patch that directly calls
 * two or more distinct methods the patch changes (the {@code encode}/{@code decode} round trip in
 * an unpatched caller), so that no thread switches to the new code between two such calls; and
 * the methods the patch author names.
 *
 * <p>Only classes whose constant pool names a patched class can call its methods, so the others
 * are never parsed beyond their constant pool's offsets.
 */
final class Guards {

  private static final int CONSTANT_CLASS = 7;

  /** The reason of a guard the patch author names. */
  static final String NAMED = "named by the patch author";

  private Guards() {}

  /**
   * Returns the guards of a patch, automatic and named, one per method.
   *
   * @param oldBuild the classes the patch is built against
   * @param classes the patched classes
   * @param named the guards the author names, see {@link DiffOptions#guards()}
   * @param findings where a named guard the old build lacks is refused
   */
  static List<Guard> find(ClassSet oldBuild, List<PatchedClass> classes, List<String> named, Findings findings) {
    Map<String, Guard> guards = new LinkedHashMap<>();
    automatic(oldBuild, classes).forEach(g -> guards.put(g.className() + "." + g.method() + g.descriptor(), g));
    for (String text : named) {
      GuardSpec spec = GuardSpec.parse(text);
      for (String key : resolve(oldBuild, spec, findings)) {
        int paren = key.indexOf('(');
        String id = spec.className() + "." + key;
        Guard found = guards.get(id);
        String reason = found == null ? NAMED : found.reason().endsWith(NAMED) ? found.reason()
            : found.reason() + "; " + NAMED;
        guards.put(id, new Guard(spec.className(), key.substring(0, paren), key.substring(paren), reason));
      }
    }
    return new ArrayList<>(guards.values());
  }

  private static List<Guard> automatic(ClassSet oldBuild, List<PatchedClass> classes) {
    // Internal owner name -> keys of the methods whose old body a thread may be running.
    Map<String, Set<String>> patched = new HashMap<>();
    int count = 0;
    for (PatchedClass c : classes) {
      for (PatchedMethod m : c.methods()) {
        if (m.kind() != ChangeKind.ADDED) {
          patched.computeIfAbsent(c.internalName(), n -> new java.util.HashSet<>()).add(m.key());
          count++;
        }
      }
    }
    if (count < 2) {
      return List.of();
    }
    List<Guard> guards = new ArrayList<>();
    oldBuild.classes().forEach((name, bytes) -> {
      if (refersToAny(bytes, patched.keySet())) {
        callers(name, bytes, patched, guards);
      }
    });
    return guards;
  }

  /**
   * Whether the constant pool has a class entry naming one of {@code owners}: a call to a method of a
   * class needs one. Costs one pass over the pool's offsets and a lookup per class entry, whatever
   * the number of patched classes.
   */
  private static boolean refersToAny(byte[] bytes, Set<String> owners) {
    ClassReader reader = new ClassReader(bytes);
    char[] buffer = new char[reader.getMaxStringLength()];
    for (int item = 1; item < reader.getItemCount(); item++) {
      int offset = reader.getItem(item);
      if (offset != 0 && bytes[offset - 1] == CONSTANT_CLASS && owners.contains(reader.readUTF8(offset, buffer))) {
        return true;
      }
    }
    return false;
  }

  private static void callers(String className, byte[] bytes, Map<String, Set<String>> patched, List<Guard> guards) {
    String internal = className.replace('.', '/');
    Set<String> ownPatched = patched.getOrDefault(internal, Set.of());
    new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
          String[] exceptions) {
        if (ownPatched.contains(name + descriptor)) {
          return null; // in the patch: the consistency model covers it already
        }
        Set<String> called = new LinkedHashSet<>();
        return new MethodVisitor(Opcodes.ASM9) {
          @Override
          public void visitMethodInsn(int opcode, String owner, String callee, String desc, boolean isInterface) {
            Set<String> keys = patched.get(owner);
            if (keys != null && keys.contains(callee + desc)) {
              called.add(owner.replace('/', '.') + "." + callee + desc);
            }
          }

          @Override
          public void visitEnd() {
            if (called.size() >= 2) {
              guards.add(new Guard(className, name, descriptor, "calls " + list(called)));
            }
          }
        };
      }
    }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
  }

  /** {@code a and b}, {@code a, b and c}. */
  private static String list(Set<String> items) {
    List<String> all = new ArrayList<>(items);
    String last = all.remove(all.size() - 1);
    return String.join(", ", all) + " and " + last;
  }

  /** The method keys (name followed by descriptor) a named guard stands for; refused if none. */
  private static List<String> resolve(ClassSet oldBuild, GuardSpec spec, Findings findings) {
    byte[] bytes = oldBuild.classes().get(spec.className());
    String member = "guard " + spec;
    if (bytes == null) {
      findings.refuse(spec.className(), member, "named guard: the old build has no class " + spec.className()
          + "; name a method of a class the running application has (CLASS#METHOD or CLASS#METHOD(DESC))");
      return List.of();
    }
    ClassNode node = new ClassNode();
    new ClassReader(bytes).accept(node, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    List<String> keys = new ArrayList<>();
    for (MethodNode method : node.methods) {
      if (method.name.equals(spec.method()) && (spec.descriptor().isEmpty() || method.desc.equals(spec.descriptor()))) {
        keys.add(method.name + method.desc);
      }
    }
    if (keys.isEmpty()) {
      findings.refuse(spec.className(), member, "named guard: class " + spec.className() + " of the old build has "
          + "no method " + spec.method() + spec.descriptor() + "; name one it has");
    }
    return keys;
  }
}
