package org.jlivepatch.core.review;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jlivepatch.core.fingerprint.LabelNumbers;
import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.TypePath;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.util.Textifier;
import org.objectweb.asm.util.TraceMethodVisitor;

/**
 * Normalised disassembly of methods, one instruction per line, for human review.
 *
 * <p>The normalisation is the one {@link org.jlivepatch.core.fingerprint.Fingerprints} hashes, so
 * two methods disassemble to different text exactly when their fingerprints differ: a header line
 * with the access flags, name and descriptor; the instructions with symbolic operands (constants
 * in Java-like notation, owners, names, descriptors); branch targets named {@code L0, L1, …} in
 * order of position, consecutive labels sharing one name and labels no instruction refers to left
 * out; and the exception handlers. Line numbers, local variable tables, parameter names, stack map
 * frames, max stack and locals, annotations, generic signatures and {@code throws} clauses are not
 * shown, because they do not change what the method does and the fingerprint ignores them.
 */
public final class Disassembler {

  private static final Pattern LABEL = Pattern.compile("L\\d+");
  private static final String INSTRUCTION_INDENT = "    ";

  private Disassembler() {}

  /**
   * Returns the disassembly of every method of a class, keyed by name followed by descriptor
   * (e.g. {@code parse(I)V}), in class-file order.
   *
   * @throws IllegalArgumentException if {@code classFile} is not a readable class file
   */
  public static Map<String, List<String>> ofClass(byte[] classFile) {
    Map<String, List<String>> result = new LinkedHashMap<>();
    for (MethodNode method : read(classFile).methods) {
      result.put(method.name + method.desc, ofMethod(method));
    }
    return result;
  }

  /**
   * Returns the disassembly of one method of a class, or empty if the class has no method with
   * this name and descriptor.
   *
   * @throws IllegalArgumentException if {@code classFile} is not a readable class file
   */
  public static Optional<List<String>> ofMethod(byte[] classFile, String name, String descriptor) {
    for (MethodNode method : read(classFile).methods) {
      if (method.name.equals(name) && method.desc.equals(descriptor)) {
        return Optional.of(ofMethod(method));
      }
    }
    return Optional.empty();
  }

  /**
   * Returns the disassembly of one method as lines without line terminators: the header line
   * first, then labels at the left margin and instructions indented below them, then the
   * exception handlers. Debug information and frames in {@code method}, if any, are not shown.
   */
  public static List<String> ofMethod(MethodNode method) {
    Map<LabelNode, String> names = nameReferencedLabels(method);
    Map<Label, String> printedNames = new HashMap<>();
    names.forEach((node, name) -> printedNames.put(node.getLabel(), name));
    LabelledTextifier textifier = new LabelledTextifier(printedNames);
    MethodVisitor out = new InstructionsOnly(new TraceMethodVisitor(textifier));

    String lastPrinted = null;
    for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
      if (insn instanceof LabelNode label) {
        String name = names.get(label);
        if (name != null && !name.equals(lastPrinted)) {
          out.visitLabel(label.getLabel());
          lastPrinted = name;
        }
      } else if (insn.getOpcode() >= 0) {
        insn.accept(out);
      }
    }
    // Handlers last, like the exception table of javap: they read best after the code they cover.
    for (TryCatchBlockNode block : method.tryCatchBlocks) {
      out.visitTryCatchBlock(block.start.getLabel(), block.end.getLabel(), block.handler.getLabel(), block.type);
    }

    List<String> lines = new ArrayList<>();
    lines.add(header(method));
    StringBuilder text = new StringBuilder();
    flatten(textifier.getText(), text);
    for (String line : text.toString().split("\n")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (LABEL.matcher(trimmed).matches()) {
        lines.add(trimmed + ":");
      } else if (trimmed.startsWith("TRYCATCHBLOCK ") && trimmed.endsWith(" null")) {
        // A handler without a type is a finally block or a synchronized region: it catches anything.
        lines.add(INSTRUCTION_INDENT + trimmed.substring(0, trimmed.length() - "null".length()) + "any");
      } else {
        // Textifier's own indentation shows nesting (switch cases, bootstrap arguments): keep it.
        lines.add(line.stripTrailing());
      }
    }
    return List.copyOf(lines);
  }

  /** The method's access flags as Java-like modifiers, then its name and descriptor. */
  static String header(MethodNode method) {
    StringBuilder line = new StringBuilder();
    int access = method.access;
    appendFlag(line, access, Opcodes.ACC_PUBLIC, "public");
    appendFlag(line, access, Opcodes.ACC_PRIVATE, "private");
    appendFlag(line, access, Opcodes.ACC_PROTECTED, "protected");
    appendFlag(line, access, Opcodes.ACC_STATIC, "static");
    appendFlag(line, access, Opcodes.ACC_FINAL, "final");
    appendFlag(line, access, Opcodes.ACC_SYNCHRONIZED, "synchronized");
    appendFlag(line, access, Opcodes.ACC_BRIDGE, "bridge");
    appendFlag(line, access, Opcodes.ACC_VARARGS, "varargs");
    appendFlag(line, access, Opcodes.ACC_NATIVE, "native");
    appendFlag(line, access, Opcodes.ACC_ABSTRACT, "abstract");
    appendFlag(line, access, Opcodes.ACC_STRICT, "strictfp");
    appendFlag(line, access, Opcodes.ACC_SYNTHETIC, "synthetic");
    appendFlag(line, access, Opcodes.ACC_MANDATED, "mandated");
    return line.append(method.name).append(method.desc).toString();
  }

  private static void appendFlag(StringBuilder line, int access, int flag, String word) {
    if ((access & flag) != 0) {
      line.append(word).append(' ');
    }
  }

  private static ClassNode read(byte[] classFile) {
    ClassNode node = new ClassNode();
    try {
      new ClassReader(classFile).accept(node, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a readable class file: " + e, e);
    }
    return node;
  }

  /** Names the labels as the fingerprint numbers them: {@code L0, L1, …} by position. */
  private static Map<LabelNode, String> nameReferencedLabels(MethodNode method) {
    Map<LabelNode, String> names = new IdentityHashMap<>();
    LabelNumbers.of(method).forEach((label, number) -> {
      if (number != null) {
        names.put(label, "L" + number);
      }
    });
    return names;
  }

  private static void flatten(List<?> text, StringBuilder out) {
    for (Object part : text) {
      if (part instanceof List<?> nested) {
        flatten(nested, out);
      } else {
        out.append(part);
      }
    }
  }

  /** A Textifier that prints labels with names decided beforehand, by position. */
  private static final class LabelledTextifier extends Textifier {
    LabelledTextifier(Map<Label, String> names) {
      super(Opcodes.ASM9);
      labelNames = names;
    }

    @Override
    protected Textifier createTextifier() {
      return new LabelledTextifier(new HashMap<>());
    }
  }

  /**
   * Passes on instructions, labels and handlers only: type annotations on instructions are not
   * part of the normalised form.
   */
  private static final class InstructionsOnly extends MethodVisitor {
    InstructionsOnly(MethodVisitor next) {
      super(Opcodes.ASM9, next);
    }

    @Override
    public AnnotationVisitor visitInsnAnnotation(int typeRef, TypePath typePath, String descriptor, boolean visible) {
      return null;
    }

    @Override
    public AnnotationVisitor visitTryCatchAnnotation(
        int typeRef, TypePath typePath, String descriptor, boolean visible) {
      return null;
    }
  }
}
