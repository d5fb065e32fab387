package org.jlivepatch.core.fingerprint;

import java.util.IdentityHashMap;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

/** Numbers the labels of a method as its fingerprint does; shared so that all comparisons agree. */
final class LabelNumbers {

  private LabelNumbers() {}

  /**
   * Each label that a jump, a switch or an exception handler refers to, numbered by position;
   * referenced labels not in the instruction list are left out.
   */
  static IdentityHashMap<LabelNode, Integer> of(MethodNode method) {
    IdentityHashMap<LabelNode, Boolean> referenced = new IdentityHashMap<>();
    for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
      if (insn instanceof JumpInsnNode jump) {
        referenced.put(jump.label, Boolean.TRUE);
      } else if (insn instanceof TableSwitchInsnNode table) {
        referenced.put(table.dflt, Boolean.TRUE);
        for (LabelNode label : table.labels) {
          referenced.put(label, Boolean.TRUE);
        }
      } else if (insn instanceof LookupSwitchInsnNode lookup) {
        referenced.put(lookup.dflt, Boolean.TRUE);
        for (LabelNode label : lookup.labels) {
          referenced.put(label, Boolean.TRUE);
        }
      }
    }
    for (TryCatchBlockNode block : method.tryCatchBlocks) {
      referenced.put(block.start, Boolean.TRUE);
      referenced.put(block.end, Boolean.TRUE);
      referenced.put(block.handler, Boolean.TRUE);
    }
    IdentityHashMap<LabelNode, Integer> numbers = new IdentityHashMap<>();
    if (referenced.isEmpty()) {
      return numbers;
    }
    // Only referenced labels count, so labels of debug information (line numbers, local
    // variable ranges) never shift the numbering; referenced labels with no instruction between
    // them denote the same position and share one number.
    int position = -1;
    boolean instructionSinceLastLabel = true;
    for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
      if (insn instanceof LabelNode label && referenced.containsKey(label)) {
        if (instructionSinceLastLabel) {
          position++;
          instructionSinceLastLabel = false;
        }
        numbers.put(label, position);
      } else if (insn.getOpcode() >= 0) {
        instructionSinceLastLabel = true;
      }
    }
    return numbers;
  }
}
