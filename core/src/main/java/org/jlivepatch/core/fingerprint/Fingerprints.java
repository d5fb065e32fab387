package org.jlivepatch.core.fingerprint;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.IincInsnNode;
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
 * Computes method fingerprints.
 *
 * <p>A fingerprint covers the method's access flags, name, descriptor, instructions with their
 * operands in symbolic form (constants, owners, names and descriptors rather than constant-pool
 * indices), branch targets as positions in the instruction list, and exception handlers. It leaves
 * out everything that does not change what the method does: constant-pool order, line numbers,
 * local variable names and tables, parameter names, stack map frames, max stack and locals,
 * annotations, generic signatures and {@code throws} clauses. The class-file bytes the JVM hands
 * back on retransformation therefore give the same fingerprint as the class file that was loaded.
 */
public final class Fingerprints {

  /** Names the normalisation; payloads record it so that a future change is detected, not misread. */
  public static final String ALGORITHM = "jlp-method-1";

  private static final int ASM_PSEUDO_FLAGS = 0xFFFF0000;

  private Fingerprints() {}

  /**
   * Returns the fingerprint of every method of a class, keyed by name followed by descriptor
   * (e.g. {@code parse(I)V}), in class-file order.
   *
   * @throws IllegalArgumentException if {@code classFile} is not a readable class file
   */
  public static Map<String, String> ofClass(byte[] classFile) {
    ClassNode node = new ClassNode();
    try {
      new ClassReader(classFile).accept(node, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a readable class file: " + e, e);
    }
    Map<String, String> result = new LinkedHashMap<>();
    for (MethodNode method : node.methods) {
      result.put(method.name + method.desc, ofMethod(method));
    }
    return result;
  }

  /**
   * Returns the fingerprints of some methods of a class, keyed as by {@link #ofClass}: the same
   * values, without reading the code of the other methods.
   *
   * @param methodKeys name followed by descriptor of each method wanted; keys the class lacks are
   *     left out of the result
   * @throws IllegalArgumentException if {@code classFile} is not a readable class file
   */
  public static Map<String, String> ofMethods(byte[] classFile, Collection<String> methodKeys) {
    Set<String> wanted = new HashSet<>(methodKeys);
    List<MethodNode> methods = new ArrayList<>();
    try {
      new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
            String[] exceptions) {
          if (!wanted.contains(name + descriptor)) {
            return null;
          }
          MethodNode method = new MethodNode(Opcodes.ASM9, access, name, descriptor, signature, exceptions);
          methods.add(method);
          return method;
        }
      }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a readable class file: " + e, e);
    }
    Map<String, String> result = new LinkedHashMap<>();
    for (MethodNode method : methods) {
      result.put(method.name + method.desc, ofMethod(method));
    }
    return result;
  }

  /** Returns the fingerprint of one method, read with or without debug information and frames. */
  public static String ofMethod(MethodNode method) {
    MessageDigest digest = sha256();
    update(digest, canonicalForm(method));
    return HexFormat.of().formatHex(digest.digest(), 0, 16);
  }

  /**
   * Returns the text the fingerprint is computed over: one line per instruction, labels numbered
   * by position. Useful for diagnosing why two methods differ.
   */
  public static String canonicalForm(MethodNode method) {
    Map<LabelNode, Integer> labels = LabelNumbers.of(method);
    StringBuilder out = new StringBuilder(256);
    out.append(method.access & ~ASM_PSEUDO_FLAGS).append(' ').append(method.name).append(method.desc).append('\n');
    int lastPrintedLabel = -1;
    for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
      if (insn instanceof LabelNode label) {
        Integer number = labels.get(label);
        if (number != null && number != lastPrintedLabel) {
          out.append('L').append(number).append(":\n");
          lastPrintedLabel = number;
        }
      } else if (insn.getOpcode() >= 0) {
        appendInstruction(out, insn, labels);
      }
    }
    for (TryCatchBlockNode block : method.tryCatchBlocks) {
      out.append("TRY ").append(labels.get(block.start)).append(' ').append(labels.get(block.end)).append(' ')
          .append(labels.get(block.handler)).append(' ').append(block.type).append('\n');
    }
    return out.toString();
  }

  private static void appendInstruction(StringBuilder out, AbstractInsnNode insn, Map<LabelNode, Integer> labels) {
    out.append(insn.getOpcode());
    if (insn instanceof IntInsnNode n) {
      out.append(' ').append(n.operand);
    } else if (insn instanceof VarInsnNode n) {
      out.append(' ').append(n.var);
    } else if (insn instanceof TypeInsnNode n) {
      out.append(' ').append(n.desc);
    } else if (insn instanceof FieldInsnNode n) {
      out.append(' ').append(n.owner).append('.').append(n.name).append(':').append(n.desc);
    } else if (insn instanceof MethodInsnNode n) {
      out.append(' ').append(n.owner).append('.').append(n.name).append(n.desc).append(n.itf ? " itf" : "");
    } else if (insn instanceof InvokeDynamicInsnNode n) {
      out.append(' ').append(n.name).append(n.desc).append(' ');
      appendConstant(out, n.bsm);
      for (Object arg : n.bsmArgs) {
        out.append(' ');
        appendConstant(out, arg);
      }
    } else if (insn instanceof JumpInsnNode n) {
      out.append(" L").append(labels.get(n.label));
    } else if (insn instanceof LdcInsnNode n) {
      out.append(' ');
      appendConstant(out, n.cst);
    } else if (insn instanceof IincInsnNode n) {
      out.append(' ').append(n.var).append(' ').append(n.incr);
    } else if (insn instanceof TableSwitchInsnNode n) {
      out.append(' ').append(n.min).append(' ').append(n.max).append(" L").append(labels.get(n.dflt));
      appendLabels(out, n.labels, labels);
    } else if (insn instanceof LookupSwitchInsnNode n) {
      out.append(' ').append(n.keys).append(" L").append(labels.get(n.dflt));
      appendLabels(out, n.labels, labels);
    } else if (insn instanceof MultiANewArrayInsnNode n) {
      out.append(' ').append(n.desc).append(' ').append(n.dims);
    }
    out.append('\n');
  }

  private static void appendLabels(StringBuilder out, List<LabelNode> targets, Map<LabelNode, Integer> labels) {
    for (LabelNode target : targets) {
      out.append(" L").append(labels.get(target));
    }
  }

  private static void appendConstant(StringBuilder out, Object value) {
    if (value instanceof String s) {
      // Quoted and escaped so that no string constant can imitate another operand.
      out.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          out.append('\\').append(c);
        } else if (c < 0x20 || c > 0x7e) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      out.append('"');
    } else if (value instanceof Type t) {
      out.append("T:").append(t.getDescriptor());
    } else if (value instanceof Handle h) {
      out.append("H:").append(h.getTag()).append(':').append(h.getOwner()).append('.').append(h.getName())
          .append(h.getDesc()).append(h.isInterface() ? ":itf" : "");
    } else if (value instanceof ConstantDynamic c) {
      out.append("CD:").append(c.getName()).append(':').append(c.getDescriptor()).append(' ');
      appendConstant(out, c.getBootstrapMethod());
      out.append(" [");
      for (int i = 0; i < c.getBootstrapMethodArgumentCount(); i++) {
        out.append(' ');
        appendConstant(out, c.getBootstrapMethodArgument(i));
      }
      out.append(" ]");
    } else if (value instanceof Float f) {
      out.append("F:").append(Float.floatToRawIntBits(f));
    } else if (value instanceof Double d) {
      out.append("D:").append(Double.doubleToRawLongBits(d));
    } else if (value instanceof Long l) {
      out.append("J:").append(l);
    } else {
      out.append(value.getClass().getSimpleName().charAt(0)).append(':').append(value);
    }
  }

  private static void update(MessageDigest digest, String text) {
    digest.update(text.getBytes(StandardCharsets.UTF_8));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
