package org.jlivepatch.core.diff;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import org.jlivepatch.core.fingerprint.MethodComparison;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicInterpreter;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;

/**
 * Recognises a static initializer that changed only to initialise static fields the fix adds
 * ({@code static final Object LOCK = new Object();}): such a change needs no patch, since the
 * initializer never runs again, and the added fields become shadow fields that start at their
 * default value.
 */
final class StaticInitializers {

  private StaticInitializers() {}

  /**
   * Returns the added static fields the new initializer sets, if removing each of those statements
   * (from the last point where the operand stack is empty up to the {@code putstatic}) leaves the
   * old initializer; otherwise null. Statements with branches, and initializers with exception
   * handlers, are not taken apart: null.
   *
   * @param oldMethod the old {@code <clinit>}, or null if the old class has none
   * @param newMethod the new {@code <clinit>}, read with its maximum stack and locals
   * @param owner the class's internal name
   * @param addedStatics the added static fields of the class, as name, colon, descriptor
   */
  static Set<String> onlyInitialises(MethodNode oldMethod, MethodNode newMethod, String owner,
      Set<String> addedStatics) {
    if (addedStatics.isEmpty() || !newMethod.tryCatchBlocks.isEmpty()) {
      return null;
    }
    Frame<BasicValue>[] frames;
    try {
      frames = new Analyzer<>(new BasicInterpreter()).analyze(owner, newMethod);
    } catch (AnalyzerException | RuntimeException e) {
      return null;
    }
    AbstractInsnNode[] insns = newMethod.instructions.toArray();
    Set<LabelNode> targets = new HashSet<>();
    for (AbstractInsnNode insn : insns) {
      if (insn instanceof JumpInsnNode jump) {
        targets.add(jump.label);
      } else if (insn instanceof TableSwitchInsnNode table) {
        targets.add(table.dflt);
        targets.addAll(table.labels);
      } else if (insn instanceof LookupSwitchInsnNode lookup) {
        targets.add(lookup.dflt);
        targets.addAll(lookup.labels);
      }
    }
    boolean[] removed = new boolean[insns.length];
    Set<String> initialised = new TreeSet<>();
    for (int i = 0; i < insns.length; i++) {
      if (!(insns[i] instanceof FieldInsnNode put) || put.getOpcode() != Opcodes.PUTSTATIC || !put.owner.equals(owner)
          || !addedStatics.contains(put.name + ":" + put.desc)) {
        continue;
      }
      int start = i - 1;
      while (start >= 0 && (frames[start] == null || frames[start].getStackSize() != 0)) {
        start--;
      }
      if (start < 0) {
        return null;
      }
      for (int k = start; k < i; k++) {
        AbstractInsnNode insn = insns[k];
        int opcode = insn.getOpcode();
        if (insn instanceof JumpInsnNode || insn instanceof TableSwitchInsnNode || insn instanceof LookupSwitchInsnNode
            || opcode == Opcodes.PUTSTATIC || opcode == Opcodes.PUTFIELD || opcode == Opcodes.ATHROW
            || (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN)
            || (k > start && insn instanceof LabelNode label && targets.contains(label))) {
          return null;
        }
        removed[k] = true;
      }
      removed[i] = true;
      initialised.add(put.name + ":" + put.desc);
    }
    if (initialised.isEmpty()) {
      return null;
    }
    // Fresh labels for the copy: the copy must not share label nodes with the method it copies.
    newMethod.instructions.resetLabels();
    MethodNode rest = new MethodNode(Opcodes.ASM9, newMethod.access, newMethod.name, newMethod.desc,
        newMethod.signature, newMethod.exceptions.toArray(new String[0]));
    newMethod.accept(rest);
    newMethod.instructions.resetLabels();
    AbstractInsnNode[] copies = rest.instructions.toArray();
    if (copies.length != insns.length) {
      return null;
    }
    for (int i = 0; i < copies.length; i++) {
      if (removed[i]) {
        rest.instructions.remove(copies[i]);
      }
    }
    if (oldMethod != null) {
      return MethodComparison.sameFingerprint(oldMethod, rest) ? initialised : null;
    }
    for (AbstractInsnNode insn = rest.instructions.getFirst(); insn != null; insn = insn.getNext()) {
      if (insn.getOpcode() >= 0 && insn.getOpcode() != Opcodes.RETURN) {
        return null;
      }
    }
    return initialised;
  }
}
