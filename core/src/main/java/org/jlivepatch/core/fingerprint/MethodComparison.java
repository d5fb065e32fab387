package org.jlivepatch.core.fingerprint;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.MultiANewArrayInsnNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Tells whether two methods have equal {@link Fingerprints}, by walking both instruction lists side
 * by side instead of building and hashing their {@link Fingerprints#canonicalForm canonical forms}.
 *
 * <p>The normalisation is the fingerprint's: access flags without ASM's pseudo flags, name and
 * descriptor, instructions with symbolic operands, referenced labels numbered by position (labels
 * with no instruction between them count as one), exception handlers; line numbers, frames, local
 * variables and max stack/locals left out. Where the canonical form concatenates fields (an owner,
 * a name and a descriptor on one line) this compares them one by one, so for names containing the
 * form's separators, which no class-file producer emits, it can only be stricter: equal here
 * always means equal fingerprints.
 */
public final class MethodComparison {

  private static final int ASM_PSEUDO_FLAGS = 0xFFFF0000;

  private MethodComparison() {}

  /** Whether the two methods have equal fingerprints (equal canonical forms). */
  public static boolean sameFingerprint(MethodNode a, MethodNode b) {
    if ((a.access & ~ASM_PSEUDO_FLAGS) != (b.access & ~ASM_PSEUDO_FLAGS) || !a.name.equals(b.name)
        || !a.desc.equals(b.desc)) {
      return false;
    }
    List<TryCatchBlockNode> aBlocks = a.tryCatchBlocks;
    List<TryCatchBlockNode> bBlocks = b.tryCatchBlocks;
    if (aBlocks.size() != bBlocks.size()) {
      return false;
    }
    Map<LabelNode, Integer> aLabels = LabelNumbers.of(a);
    Map<LabelNode, Integer> bLabels = LabelNumbers.of(b);
    if (!sameInstructions(a.instructions, aLabels, b.instructions, bLabels)) {
      return false;
    }
    for (int i = 0; i < aBlocks.size(); i++) {
      TryCatchBlockNode x = aBlocks.get(i);
      TryCatchBlockNode y = bBlocks.get(i);
      if (number(aLabels, x.start) != number(bLabels, y.start) || number(aLabels, x.end) != number(bLabels, y.end)
          || number(aLabels, x.handler) != number(bLabels, y.handler) || !Objects.equals(x.type, y.type)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Compares the two token streams of the canonical form: instructions, and a marker wherever a new
   * label number starts. Markers carry no operand to compare: both sides number them 0, 1, 2, ...
   * in order, so equal streams have equal markers.
   */
  private static boolean sameInstructions(InsnList aList, Map<LabelNode, Integer> aLabels, InsnList bList,
      Map<LabelNode, Integer> bLabels) {
    Cursor x = new Cursor(aList.getFirst(), aLabels);
    Cursor y = new Cursor(bList.getFirst(), bLabels);
    while (true) {
      AbstractInsnNode p = x.next();
      AbstractInsnNode q = y.next();
      if (p == null || q == null) {
        return p == q;
      }
      if (p instanceof LabelNode || q instanceof LabelNode) {
        if (!(p instanceof LabelNode && q instanceof LabelNode)) {
          return false;
        }
      } else if (!sameInstruction(p, aLabels, q, bLabels)) {
        return false;
      }
    }
  }

  /** Walks one instruction list, yielding instructions and the first label of each label number. */
  private static final class Cursor {
    private AbstractInsnNode node;
    private final Map<LabelNode, Integer> labels;
    private int lastMarker = -1;

    Cursor(AbstractInsnNode first, Map<LabelNode, Integer> labels) {
      this.node = first;
      this.labels = labels;
    }

    AbstractInsnNode next() {
      while (node != null) {
        AbstractInsnNode current = node;
        node = node.getNext();
        if (current instanceof LabelNode label) {
          if (!labels.isEmpty()) {
            Integer number = labels.get(label);
            if (number != null && number != lastMarker) {
              lastMarker = number;
              return current;
            }
          }
        } else if (current.getOpcode() >= 0) {
          return current;
        }
      }
      return null;
    }
  }

  private static boolean sameInstruction(AbstractInsnNode p, Map<LabelNode, Integer> aLabels,
      AbstractInsnNode q, Map<LabelNode, Integer> bLabels) {
    if (p.getOpcode() != q.getOpcode() || p.getClass() != q.getClass()) {
      return false;
    }
    switch (p.getType()) {
      case AbstractInsnNode.INSN:
        return true;
      case AbstractInsnNode.INT_INSN:
        return ((IntInsnNode) p).operand == ((IntInsnNode) q).operand;
      case AbstractInsnNode.VAR_INSN:
        return ((VarInsnNode) p).var == ((VarInsnNode) q).var;
      case AbstractInsnNode.TYPE_INSN:
        return ((TypeInsnNode) p).desc.equals(((TypeInsnNode) q).desc);
      case AbstractInsnNode.FIELD_INSN: {
        FieldInsnNode m = (FieldInsnNode) p;
        FieldInsnNode n = (FieldInsnNode) q;
        return m.name.equals(n.name) && m.owner.equals(n.owner) && m.desc.equals(n.desc);
      }
      case AbstractInsnNode.METHOD_INSN: {
        MethodInsnNode m = (MethodInsnNode) p;
        MethodInsnNode n = (MethodInsnNode) q;
        return m.itf == n.itf && m.name.equals(n.name) && m.owner.equals(n.owner) && m.desc.equals(n.desc);
      }
      case AbstractInsnNode.INVOKE_DYNAMIC_INSN: {
        InvokeDynamicInsnNode m = (InvokeDynamicInsnNode) p;
        InvokeDynamicInsnNode n = (InvokeDynamicInsnNode) q;
        return m.name.equals(n.name) && m.desc.equals(n.desc) && sameConstant(m.bsm, n.bsm)
            && sameConstants(m.bsmArgs, n.bsmArgs);
      }
      case AbstractInsnNode.JUMP_INSN:
        return number(aLabels, ((JumpInsnNode) p).label) == number(bLabels, ((JumpInsnNode) q).label);
      case AbstractInsnNode.LDC_INSN:
        return sameConstant(((LdcInsnNode) p).cst, ((LdcInsnNode) q).cst);
      case AbstractInsnNode.IINC_INSN: {
        IincInsnNode m = (IincInsnNode) p;
        IincInsnNode n = (IincInsnNode) q;
        return m.var == n.var && m.incr == n.incr;
      }
      case AbstractInsnNode.TABLESWITCH_INSN: {
        TableSwitchInsnNode m = (TableSwitchInsnNode) p;
        TableSwitchInsnNode n = (TableSwitchInsnNode) q;
        return m.min == n.min && m.max == n.max && number(aLabels, m.dflt) == number(bLabels, n.dflt)
            && sameTargets(m.labels, aLabels, n.labels, bLabels);
      }
      case AbstractInsnNode.LOOKUPSWITCH_INSN: {
        LookupSwitchInsnNode m = (LookupSwitchInsnNode) p;
        LookupSwitchInsnNode n = (LookupSwitchInsnNode) q;
        return m.keys.equals(n.keys) && number(aLabels, m.dflt) == number(bLabels, n.dflt)
            && sameTargets(m.labels, aLabels, n.labels, bLabels);
      }
      case AbstractInsnNode.MULTIANEWARRAY_INSN: {
        MultiANewArrayInsnNode m = (MultiANewArrayInsnNode) p;
        MultiANewArrayInsnNode n = (MultiANewArrayInsnNode) q;
        return m.dims == n.dims && m.desc.equals(n.desc);
      }
      default:
        // An instruction kind the canonical form does not know prints as its opcode alone.
        return true;
    }
  }

  private static boolean sameTargets(List<LabelNode> a, Map<LabelNode, Integer> aLabels, List<LabelNode> b,
      Map<LabelNode, Integer> bLabels) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (number(aLabels, a.get(i)) != number(bLabels, b.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** The label's number, -1 for a label outside the list (the canonical form prints {@code Lnull}). */
  private static int number(Map<LabelNode, Integer> labels, LabelNode label) {
    Integer number = labels.get(label);
    return number == null ? -1 : number;
  }

  private static boolean sameConstants(Object[] a, Object[] b) {
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      if (!sameConstant(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }

  /** Equality as the canonical form renders constants: floating-point values by their raw bits. */
  private static boolean sameConstant(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.getClass() != b.getClass()) {
      return false;
    }
    if (a instanceof Float f) {
      return Float.floatToRawIntBits(f) == Float.floatToRawIntBits((Float) b);
    }
    if (a instanceof Double d) {
      return Double.doubleToRawLongBits(d) == Double.doubleToRawLongBits((Double) b);
    }
    if (a instanceof Type t) {
      return t.getDescriptor().equals(((Type) b).getDescriptor());
    }
    if (a instanceof ConstantDynamic c) {
      ConstantDynamic d = (ConstantDynamic) b;
      if (!c.getName().equals(d.getName()) || !c.getDescriptor().equals(d.getDescriptor())
          || !sameConstant(c.getBootstrapMethod(), d.getBootstrapMethod())
          || c.getBootstrapMethodArgumentCount() != d.getBootstrapMethodArgumentCount()) {
        return false;
      }
      for (int i = 0; i < c.getBootstrapMethodArgumentCount(); i++) {
        if (!sameConstant(c.getBootstrapMethodArgument(i), d.getBootstrapMethodArgument(i))) {
          return false;
        }
      }
      return true;
    }
    // String, Integer, Long, Handle (tag, owner, name, descriptor, interface): equals is exact.
    return a.equals(b);
  }
}
