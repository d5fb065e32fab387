package org.jlivepatch.core.fingerprint;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

/**
 * Numbers the labels of a method as its fingerprint does; shared by everything that compares or
 * shows normalised code, so that what a reviewer sees differ is exactly what the fingerprint sees.
 */
public final class LabelNumbers {

  private LabelNumbers() {}

  /**
   * Each label that a jump, a switch or an exception handler refers to, numbered by position;
   * referenced labels not in the instruction list map to {@code null}.
   */
  public static Map<LabelNode, Integer> of(MethodNode method) {
    // The referenced labels are keys with no number yet (null), so that one map serves both passes;
    // one that is not in the instruction list keeps null, which reads as absent.
    Map<LabelNode, Integer> numbers = null;
    for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
      if (insn instanceof JumpInsnNode jump) {
        numbers = reference(numbers, jump.label);
      } else if (insn instanceof TableSwitchInsnNode table) {
        numbers = reference(numbers, table.dflt);
        for (LabelNode label : table.labels) {
          numbers = reference(numbers, label);
        }
      } else if (insn instanceof LookupSwitchInsnNode lookup) {
        numbers = reference(numbers, lookup.dflt);
        for (LabelNode label : lookup.labels) {
          numbers = reference(numbers, label);
        }
      }
    }
    for (TryCatchBlockNode block : method.tryCatchBlocks) {
      numbers = reference(numbers, block.start);
      numbers = reference(numbers, block.end);
      numbers = reference(numbers, block.handler);
    }
    if (numbers == null) {
      return Collections.emptyMap();
    }
    // Only referenced labels count, so labels of debug information (line numbers, local
    // variable ranges) never shift the numbering; referenced labels with no instruction between
    // them denote the same position and share one number.
    int position = -1;
    boolean instructionSinceLastLabel = true;
    for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
      if (insn instanceof LabelNode label && numbers.containsKey(label)) {
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

  private static Map<LabelNode, Integer> reference(Map<LabelNode, Integer> numbers, LabelNode label) {
    Map<LabelNode, Integer> result = numbers != null ? numbers : new IdentityHashMap<>();
    result.put(label, null);
    return result;
  }
}
