package org.jlivepatch.core.trampoline;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.MultiANewArrayInsnNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.TypeInsnNode;

/** Finds whether a method's code names one of some classes; see {@link Trampolines#naming}. */
final class ClassNames {

  private final Set<String> names;

  /** @param names internal class names */
  ClassNames(Collection<String> names) {
    this.names = Set.copyOf(names);
  }

  boolean named(MethodNode method) {
    for (TryCatchBlockNode handler : method.tryCatchBlocks) {
      if (handler.type != null && internal(handler.type)) {
        return true;
      }
    }
    for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
      if (insn instanceof TypeInsnNode type ? internal(type.desc)
          : insn instanceof MethodInsnNode call ? internal(call.owner) || descriptor(call.desc)
          : insn instanceof FieldInsnNode field ? internal(field.owner) || descriptor(field.desc)
          : insn instanceof InvokeDynamicInsnNode indy ? indy(indy)
          : insn instanceof LdcInsnNode ldc ? constant(ldc.cst)
          : insn instanceof MultiANewArrayInsnNode array ? descriptor(array.desc)
          : insn instanceof FrameNode frame && (frameTypes(frame.local) || frameTypes(frame.stack))) {
        return true;
      }
    }
    return false;
  }

  private boolean indy(InvokeDynamicInsnNode indy) {
    if (descriptor(indy.desc) || constant(indy.bsm)) {
      return true;
    }
    for (Object argument : indy.bsmArgs) {
      if (constant(argument)) {
        return true;
      }
    }
    return false;
  }

  private boolean constant(Object value) {
    if (value instanceof Type type) {
      return descriptor(type.getDescriptor());
    }
    if (value instanceof Handle handle) {
      return internal(handle.getOwner()) || descriptor(handle.getDesc());
    }
    if (value instanceof ConstantDynamic condy) {
      if (descriptor(condy.getDescriptor()) || constant(condy.getBootstrapMethod())) {
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

  private boolean frameTypes(List<Object> types) {
    if (types != null) {
      for (Object type : types) {
        if (type instanceof String name && internal(name)) {
          return true;
        }
      }
    }
    return false;
  }

  /** An internal name, or an array descriptor where an instruction takes one. */
  private boolean internal(String name) {
    return name.startsWith("[") ? descriptor(name) : names.contains(name);
  }

  private boolean descriptor(String descriptor) {
    for (int at = descriptor.indexOf('L'); at >= 0; at = descriptor.indexOf('L', at + 1)) {
      int end = descriptor.indexOf(';', at);
      if (end < 0) {
        return false;
      }
      if (names.contains(descriptor.substring(at + 1, end))) {
        return true;
      }
      at = end;
    }
    return false;
  }
}
