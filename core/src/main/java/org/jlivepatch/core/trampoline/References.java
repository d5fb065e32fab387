package org.jlivepatch.core.trampoline;

import java.util.Set;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/** Finds, in a method body, what a class will not have after redefinition: added methods, shadow fields. */
final class References {

  private final String owner;
  private final Set<String> added;
  private final Set<String> shadowFields;

  /**
   * @param owner the class's internal name
   * @param added keys (name followed by descriptor) of the methods the patch adds to it
   * @param shadowFields every shadow field of the patch as {@code owner.name:desc}
   */
  References(String owner, Set<String> added, Set<String> shadowFields) {
    this.owner = owner;
    this.added = added;
    this.shadowFields = shadowFields;
  }

  /** Whether the body calls an added method, accesses a shadow field or takes a handle on either. */
  boolean any(MethodNode method) {
    for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
      if (insn instanceof MethodInsnNode call) {
        if (call.owner.equals(owner) && added.contains(call.name + call.desc)) {
          return true;
        }
      } else if (insn instanceof FieldInsnNode field) {
        if (shadowFields.contains(field.owner + "." + field.name + ":" + field.desc)) {
          return true;
        }
      } else if (insn instanceof InvokeDynamicInsnNode indy) {
        if (constant(indy.bsm)) {
          return true;
        }
        for (Object argument : indy.bsmArgs) {
          if (constant(argument)) {
            return true;
          }
        }
      } else if (insn instanceof LdcInsnNode ldc && constant(ldc.cst)) {
        return true;
      }
    }
    return false;
  }

  private boolean constant(Object value) {
    if (value instanceof Handle handle) {
      if (handle.getTag() <= Opcodes.H_PUTSTATIC) {
        return shadowFields.contains(handle.getOwner() + "." + handle.getName() + ":" + handle.getDesc());
      }
      return handle.getOwner().equals(owner) && added.contains(handle.getName() + handle.getDesc());
    }
    if (value instanceof ConstantDynamic condy) {
      if (constant(condy.getBootstrapMethod())) {
        return true;
      }
      for (int i = 0; i < condy.getBootstrapMethodArgumentCount(); i++) {
        if (constant(condy.getBootstrapMethodArgument(i))) {
          return true;
        }
      }
    }
    return false;
  }
}
