package org.jlivepatch.core.diff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.objectweb.asm.Attribute;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.AnnotationNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InnerClassNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.LocalVariableNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.ParameterNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

/**
 * Tells what differs between two versions of a method or class that fingerprint the same: the
 * detail a patch leaves out. Each difference is named precisely ("line numbers", "local variable
 * names", ...) from what is actually different, never guessed.
 */
final class NonSemanticDifferences {

  static final String LINE_NUMBERS = "line numbers";
  static final String LOCAL_VARIABLE_NAMES = "local variable names";
  static final String LOCAL_VARIABLE_TABLE = "local variable table";
  static final String PARAMETER_NAMES = "parameter names";
  static final String ANNOTATIONS = "annotations";
  static final String GENERIC_SIGNATURE = "generic signature";
  static final String THROWS_CLAUSE = "throws clause";
  static final String STACK_MAP_FRAMES = "stack map frames";
  static final String MAX_STACK_LOCALS = "max stack/locals";
  static final String OTHER_ATTRIBUTES = "non-standard attributes";
  static final String SOURCE_FILE = "source file name";
  static final String INNER_CLASSES = "inner-class attributes";
  static final String DEBUG_ATTRIBUTES = "debug attributes";
  static final String CONSTANT_POOL = "constant-pool order";

  private NonSemanticDifferences() {}

  /** The differences between two versions of a method with equal fingerprints, in a fixed order. */
  static Set<String> ofMethods(MethodNode oldMethod, MethodNode newMethod) {
    // Each check first compares the nodes directly, which is cheap and, when they are equal, settles
    // it; only otherwise are the texts built that define what counts as different.
    Set<String> reasons = new LinkedHashSet<>();
    List<LocalVariableNode> oldLocals = nullToEmpty(oldMethod.localVariables);
    List<LocalVariableNode> newLocals = nullToEmpty(newMethod.localVariables);
    Walk oldWalk = new Walk(oldMethod, oldLocals);
    Walk newWalk = new Walk(newMethod, newLocals);
    if ((oldWalk.lineCount > 0) != (newWalk.lineCount > 0)) {
      reasons.add(DEBUG_ATTRIBUTES);
    } else if (!Arrays.equals(oldWalk.lines, 0, oldWalk.lineCount, newWalk.lines, 0, newWalk.lineCount)) {
      reasons.add(LINE_NUMBERS);
    }
    if (oldLocals.isEmpty() != newLocals.isEmpty()) {
      reasons.add(DEBUG_ATTRIBUTES);
    } else if (!oldLocals.isEmpty()) {
      if (!sameLocalShapes(oldLocals, oldWalk, newLocals, newWalk)
          && !localShapes(oldMethod, oldLocals).equals(localShapes(newMethod, newLocals))) {
        reasons.add(LOCAL_VARIABLE_TABLE);
      } else if (!sameLocalNames(oldLocals, newLocals) && !localNames(oldLocals).equals(localNames(newLocals))) {
        reasons.add(LOCAL_VARIABLE_NAMES);
      }
    }
    header(oldMethod, oldWalk, newMethod, newWalk, reasons);
    if (!sameFrames(oldWalk, newWalk) && !frames(oldMethod).equals(frames(newMethod))) {
      reasons.add(STACK_MAP_FRAMES);
    }
    if (oldMethod.maxStack != newMethod.maxStack || oldMethod.maxLocals != newMethod.maxLocals) {
      reasons.add(MAX_STACK_LOCALS);
    }
    otherAttributes(oldMethod, newMethod, reasons);
    return reasons;
  }

  /**
   * {@link #ofMethods} of two versions of a method whose code is the same, read without it: the
   * differences of its code as {@code sameCode} found them (its local variables and frames are
   * equal, it has no type annotations or other attributes in its code), the rest from the headers.
   */
  static Set<String> ofSameCode(MethodNode oldMethod, MethodNode newMethod, CodeMatch sameCode, int index) {
    Set<String> reasons = new LinkedHashSet<>();
    byte lines = sameCode.lines(index);
    if (lines == CodeMatch.LINES_IN_ONE_BUILD) {
      reasons.add(DEBUG_ATTRIBUTES);
    } else if (lines == CodeMatch.LINES_DIFFER) {
      reasons.add(LINE_NUMBERS);
    }
    header(oldMethod, Walk.NO_CODE, newMethod, Walk.NO_CODE, reasons);
    if (sameCode.maxDiffers(index)) {
      reasons.add(MAX_STACK_LOCALS);
    }
    otherAttributes(oldMethod, newMethod, reasons);
    return reasons;
  }

  /** What the method's header and annotations show: parameters, annotations, signature, throws clause. */
  private static void header(MethodNode oldMethod, Walk oldWalk, MethodNode newMethod, Walk newWalk,
      Set<String> reasons) {
    if (!sameParameters(oldMethod.parameters, newMethod.parameters)
        && (plainNames(oldMethod.parameters) && plainNames(newMethod.parameters)
            || !parameters(oldMethod.parameters).equals(parameters(newMethod.parameters)))) {
      reasons.add(PARAMETER_NAMES);
    }
    if (!sameMethodAnnotations(oldMethod, oldWalk, newMethod, newWalk)
        && !methodAnnotations(oldMethod).equals(methodAnnotations(newMethod))) {
      reasons.add(ANNOTATIONS);
    }
    if (!Objects.equals(oldMethod.signature, newMethod.signature)) {
      reasons.add(GENERIC_SIGNATURE);
    }
    if (!Objects.equals(nullToEmpty(oldMethod.exceptions), nullToEmpty(newMethod.exceptions))) {
      reasons.add(THROWS_CLAUSE);
    }
  }

  private static void otherAttributes(MethodNode oldMethod, MethodNode newMethod, Set<String> reasons) {
    if ((oldMethod.attrs != null || newMethod.attrs != null)
        && !attributes(oldMethod.attrs).equals(attributes(newMethod.attrs))) {
      reasons.add(OTHER_ATTRIBUTES);
    }
  }

  /** The differences of the class itself and its fields that leave its behaviour alone. */
  static Set<String> ofClasses(ClassNode oldClass, ClassNode newClass) {
    Set<String> reasons = new LinkedHashSet<>();
    if ((oldClass.sourceFile == null) != (newClass.sourceFile == null)) {
      reasons.add(DEBUG_ATTRIBUTES);
    } else if (!Objects.equals(oldClass.sourceFile, newClass.sourceFile)
        || !Objects.equals(oldClass.sourceDebug, newClass.sourceDebug)) {
      reasons.add(SOURCE_FILE);
    }
    if (!sameClassAnnotations(oldClass, newClass) && !classAnnotations(oldClass).equals(classAnnotations(newClass))) {
      reasons.add(ANNOTATIONS);
    }
    if (!Objects.equals(oldClass.signature, newClass.signature)) {
      reasons.add(GENERIC_SIGNATURE);
    }
    if (!sameInnerClasses(oldClass.innerClasses, newClass.innerClasses)
        && !innerClasses(oldClass).equals(innerClasses(newClass))
        || !Objects.equals(oldClass.outerClass, newClass.outerClass)
        || !Objects.equals(oldClass.outerMethod, newClass.outerMethod)
        || !Objects.equals(oldClass.outerMethodDesc, newClass.outerMethodDesc)) {
      reasons.add(INNER_CLASSES);
    }
    if ((oldClass.attrs != null || newClass.attrs != null)
        && !attributes(oldClass.attrs).equals(attributes(newClass.attrs))) {
      reasons.add(OTHER_ATTRIBUTES);
    }
    List<FieldNode> oldFields = oldClass.fields;
    List<FieldNode> newFields = newClass.fields;
    if (sameFieldOrder(oldFields, newFields)) {
      // Each field's counterpart is at its index: the pairs the search below visits, in its order.
      for (int i = 0; i < oldFields.size(); i++) {
        compareFields(oldFields.get(i), newFields.get(i), reasons);
      }
      return reasons;
    }
    for (FieldNode oldField : oldFields) {
      for (FieldNode newField : newFields) {
        if (oldField.name.equals(newField.name) && oldField.desc.equals(newField.desc)) {
          compareFields(oldField, newField, reasons);
        }
      }
    }
    return reasons;
  }

  private static void compareFields(FieldNode oldField, FieldNode newField, Set<String> reasons) {
    if (!sameFieldAnnotations(oldField, newField) && !fieldAnnotations(oldField).equals(fieldAnnotations(newField))) {
      reasons.add(ANNOTATIONS);
    }
    if (!Objects.equals(oldField.signature, newField.signature)) {
      reasons.add(GENERIC_SIGNATURE);
    }
  }

  private static boolean sameFieldOrder(List<FieldNode> a, List<FieldNode> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).name.equals(b.get(i).name) || !a.get(i).desc.equals(b.get(i).desc)) {
        return false;
      }
    }
    // A class file may not declare a field twice, but the search below would pair every duplicate.
    return a.stream().map(f -> f.name + ":" + f.desc).distinct().count() == a.size();
  }

  /** "line numbers only", "line numbers and local variable names only", with a why where it matters. */
  static String reason(Set<String> differences, java.util.function.Supplier<String> debugDetail) {
    List<String> named = new ArrayList<>();
    for (String difference : differences) {
      String detail = difference.equals(DEBUG_ATTRIBUTES) ? debugDetail.get() : "";
      named.add(detail.isEmpty() ? difference : DEBUG_ATTRIBUTES + " (" + detail + ")");
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < named.size(); i++) {
      if (i > 0) {
        text.append(i == named.size() - 1 ? " and " : ", ");
      }
      text.append(named.get(i));
    }
    text.append(" only");
    if (differences.contains(ANNOTATIONS)) {
      text.append(": frameworks read annotations at startup, so the running JVM keeps acting on the old ones");
    }
    return text.toString();
  }

  /** Which debug attributes only one build has, e.g. "line numbers only in the old build". */
  static String debugDetail(MethodNode oldMethod, MethodNode newMethod) {
    List<String> details = new ArrayList<>();
    presence(details, "line numbers", !lines(oldMethod).isEmpty(), !lines(newMethod).isEmpty());
    presence(details, "local variables", !nullToEmpty(oldMethod.localVariables).isEmpty(),
        !nullToEmpty(newMethod.localVariables).isEmpty());
    return String.join(", ", details);
  }

  /** {@link #debugDetail(MethodNode, MethodNode)} of a method whose code {@link CodeMatch} found the same. */
  static String debugDetail(CodeMatch sameCode, int index) {
    List<String> details = new ArrayList<>();
    presence(details, "line numbers", sameCode.hasLines(index, true), sameCode.hasLines(index, false));
    return String.join(", ", details);
  }

  /** Which class-level debug attributes only one build has. */
  static String debugDetail(ClassNode oldClass, ClassNode newClass) {
    List<String> details = new ArrayList<>();
    presence(details, "source file", oldClass.sourceFile != null, newClass.sourceFile != null);
    return String.join(", ", details);
  }

  private static void presence(List<String> details, String what, boolean inOld, boolean inNew) {
    if (inOld != inNew) {
      details.add(what + " only in the " + (inOld ? "old" : "new") + " build");
    }
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  /** Position of every instruction-bearing label, so that debug entries compare by position. */
  private static Map<LabelNode, Integer> positions(MethodNode method) {
    Map<LabelNode, Integer> positions = new IdentityHashMap<>();
    int position = 0;
    for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
      if (insn instanceof LabelNode label) {
        positions.put(label, position);
      } else if (insn.getOpcode() >= 0) {
        position++;
      }
    }
    return positions;
  }

  /**
   * What one pass over a method's instructions collects for the checks above: line-number entries
   * as {@link #lines} has them, frames with their positions, whether an instruction is annotated,
   * and the positions of the local variable table's labels.
   */
  private static final class Walk {
    private static final long[] NO_LINES = {};
    private static final FrameNode[] NO_FRAMES = {};
    private static final int[] NO_POSITIONS = {};
    /** The walk of a method read without its code. */
    static final Walk NO_CODE = new Walk(new MethodNode(), List.of());

    long[] lines = NO_LINES;
    int lineCount;
    FrameNode[] frames = NO_FRAMES;
    int[] framePositions = NO_POSITIONS;
    int frameCount;
    boolean annotatedInstruction;
    final Map<LabelNode, Integer> localLabels;

    Walk(MethodNode method, List<LocalVariableNode> locals) {
      localLabels = new IdentityHashMap<>(locals.size() * 2);
      for (LocalVariableNode local : locals) {
        localLabels.put(local.start, null);
        localLabels.put(local.end, null);
      }
      boolean hasLocals = !locals.isEmpty();
      int position = 0;
      for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
        if (insn.visibleTypeAnnotations != null || insn.invisibleTypeAnnotations != null) {
          annotatedInstruction = true;
        }
        if (insn.getOpcode() >= 0) {
          position++;
        } else if (insn instanceof LineNumberNode line) {
          if (lineCount == lines.length) {
            lines = Arrays.copyOf(lines, Math.max(8, lineCount * 2));
          }
          lines[lineCount++] = (long) line.line << 32 | position;
        } else if (insn instanceof FrameNode frame) {
          if (frameCount == frames.length) {
            frames = Arrays.copyOf(frames, Math.max(4, frameCount * 2));
            framePositions = Arrays.copyOf(framePositions, frames.length);
          }
          frames[frameCount] = frame;
          framePositions[frameCount++] = position;
        } else if (hasLocals && insn instanceof LabelNode label && localLabels.containsKey(label)) {
          localLabels.put(label, position);
        }
      }
    }
  }

  /**
   * Whether the tables list the same entries in the same order; then {@link #localShapes}, which
   * sorts, are equal too.
   */
  private static boolean sameLocalShapes(List<LocalVariableNode> aLocals, Walk a, List<LocalVariableNode> bLocals,
      Walk b) {
    if (aLocals.size() != bLocals.size()) {
      return false;
    }
    for (int i = 0; i < aLocals.size(); i++) {
      LocalVariableNode x = aLocals.get(i);
      LocalVariableNode y = bLocals.get(i);
      if (x.index != y.index || !Objects.equals(x.desc, y.desc) || !Objects.equals(x.signature, y.signature)
          || !Objects.equals(a.localLabels.get(x.start), b.localLabels.get(y.start))
          || !Objects.equals(a.localLabels.get(x.end), b.localLabels.get(y.end))) {
        return false;
      }
    }
    return true;
  }

  /** Whether the entries have the same indices and names in the same order; then {@link #localNames} are equal. */
  private static boolean sameLocalNames(List<LocalVariableNode> a, List<LocalVariableNode> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i).index != b.get(i).index || !Objects.equals(a.get(i).name, b.get(i).name)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the parameters have the same names and flags in the same order; then {@link #parameters} are equal. */
  private static boolean sameParameters(List<ParameterNode> a, List<ParameterNode> b) {
    int size = a == null ? 0 : a.size();
    if (size != (b == null ? 0 : b.size())) {
      return false;
    }
    for (int i = 0; i < size; i++) {
      if (a.get(i).access != b.get(i).access || !Objects.equals(a.get(i).name, b.get(i).name)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@link #parameters} renders these names unambiguously (none absent, none holding its
   * separators), so that parameters that differ render differently.
   */
  private static boolean plainNames(List<ParameterNode> parameters) {
    if (parameters != null) {
      for (ParameterNode parameter : parameters) {
        if (parameter.name == null || parameter.name.indexOf('/') >= 0 || parameter.name.indexOf(' ') >= 0) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether the annotations are equal node by node; then {@link #methodAnnotations} are equal too.
   * Annotations on instructions and handlers, rare, are left to the text.
   */
  private static boolean sameMethodAnnotations(MethodNode a, Walk aWalk, MethodNode b, Walk bWalk) {
    if (aWalk.annotatedInstruction || bWalk.annotatedInstruction || annotatedHandler(a) || annotatedHandler(b)) {
      return false;
    }
    return a.visibleAnnotableParameterCount == b.visibleAnnotableParameterCount
        && a.invisibleAnnotableParameterCount == b.invisibleAnnotableParameterCount
        && sameAnnotations(a.visibleAnnotations, b.visibleAnnotations)
        && sameAnnotations(a.invisibleAnnotations, b.invisibleAnnotations)
        && sameAnnotations(a.visibleTypeAnnotations, b.visibleTypeAnnotations)
        && sameAnnotations(a.invisibleTypeAnnotations, b.invisibleTypeAnnotations)
        && sameAnnotations(a.visibleLocalVariableAnnotations, b.visibleLocalVariableAnnotations)
        && sameAnnotations(a.invisibleLocalVariableAnnotations, b.invisibleLocalVariableAnnotations)
        && sameParameterAnnotations(a.visibleParameterAnnotations, b.visibleParameterAnnotations)
        && sameParameterAnnotations(a.invisibleParameterAnnotations, b.invisibleParameterAnnotations)
        && sameValue(a.annotationDefault, b.annotationDefault);
  }

  private static boolean annotatedHandler(MethodNode method) {
    if (method.tryCatchBlocks != null) {
      for (TryCatchBlockNode block : method.tryCatchBlocks) {
        if (block.visibleTypeAnnotations != null || block.invisibleTypeAnnotations != null) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether the annotations are equal node by node; then {@link #classAnnotations} are equal too. */
  private static boolean sameClassAnnotations(ClassNode a, ClassNode b) {
    return sameAnnotations(a.visibleAnnotations, b.visibleAnnotations)
        && sameAnnotations(a.invisibleAnnotations, b.invisibleAnnotations)
        && sameAnnotations(a.visibleTypeAnnotations, b.visibleTypeAnnotations)
        && sameAnnotations(a.invisibleTypeAnnotations, b.invisibleTypeAnnotations);
  }

  /** Whether the annotations are equal node by node; then {@link #fieldAnnotations} are equal too. */
  private static boolean sameFieldAnnotations(FieldNode a, FieldNode b) {
    return sameAnnotations(a.visibleAnnotations, b.visibleAnnotations)
        && sameAnnotations(a.invisibleAnnotations, b.invisibleAnnotations)
        && sameAnnotations(a.visibleTypeAnnotations, b.visibleTypeAnnotations)
        && sameAnnotations(a.invisibleTypeAnnotations, b.invisibleTypeAnnotations);
  }

  private static boolean sameParameterAnnotations(List<AnnotationNode>[] a, List<AnnotationNode>[] b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      if (!sameAnnotations(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }

  /** Lists of annotations equal node by node (absent and empty alike, as {@link #annotations} renders them). */
  private static boolean sameAnnotations(List<? extends AnnotationNode> a, List<? extends AnnotationNode> b) {
    int size = a == null ? 0 : a.size();
    if (size != (b == null ? 0 : b.size())) {
      return false;
    }
    for (int i = 0; i < size; i++) {
      if (!sameValue(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** Annotation values equal node by node; then {@link #value} renders them alike. */
  private static boolean sameValue(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.getClass() != b.getClass()) {
      return false;
    }
    if (a instanceof AnnotationNode x) {
      AnnotationNode y = (AnnotationNode) b;
      if (!Objects.equals(x.desc, y.desc) || !sameValue(x.values, y.values)) {
        return false;
      }
      if (x instanceof org.objectweb.asm.tree.TypeAnnotationNode t) {
        org.objectweb.asm.tree.TypeAnnotationNode u = (org.objectweb.asm.tree.TypeAnnotationNode) y;
        return t.typeRef == u.typeRef && Objects.equals(String.valueOf(t.typePath), String.valueOf(u.typePath));
      }
      return true;
    }
    if (a instanceof List<?> x) {
      List<?> y = (List<?>) b;
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!sameValue(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof String[] x) {
      return Arrays.equals(x, (String[]) b);
    }
    return a.equals(b);
  }

  /** Whether the entries are equal in the same order; then {@link #innerClasses}, which sorts, are equal too. */
  private static boolean sameInnerClasses(List<InnerClassNode> a, List<InnerClassNode> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      InnerClassNode x = a.get(i);
      InnerClassNode y = b.get(i);
      if (x.access != y.access || !Objects.equals(x.name, y.name) || !Objects.equals(x.outerName, y.outerName)
          || !Objects.equals(x.innerName, y.innerName)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the frames are equal item by item at the same positions; then {@link #frames} are equal too. */
  private static boolean sameFrames(Walk a, Walk b) {
    if (a.frameCount != b.frameCount) {
      return false;
    }
    for (int i = 0; i < a.frameCount; i++) {
      FrameNode p = a.frames[i];
      FrameNode q = b.frames[i];
      if (a.framePositions[i] != b.framePositions[i] || p.type != q.type || !sameFrameItems(p.local, q.local)
          || !sameFrameItems(p.stack, q.stack)) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameFrameItems(List<Object> a, List<Object> b) {
    if (a == null || b == null) {
      return (a == null || a.isEmpty()) && (b == null || b.isEmpty());
    }
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      Object p = a.get(i);
      Object q = b.get(i);
      // F_CHOP frames list their removed locals as nulls.
      boolean same = p == null ? q == null : p instanceof LabelNode ? q instanceof LabelNode
          : q != null && p.getClass() == q.getClass() && p.equals(q);
      if (!same) {
        return false;
      }
    }
    return true;
  }

  /** Line and position of each line-number entry; the entry follows its label, so the count so far is its position. */
  private static List<Long> lines(MethodNode method) {
    List<Long> lines = new ArrayList<>();
    long position = 0;
    for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
      if (insn instanceof LineNumberNode line) {
        lines.add((long) line.line << 32 | position);
      } else if (insn.getOpcode() >= 0) {
        position++;
      }
    }
    return lines;
  }

  private static List<String> localShapes(MethodNode method, List<LocalVariableNode> locals) {
    if (locals.isEmpty()) {
      return List.of();
    }
    Map<LabelNode, Integer> positions = positions(method);
    List<String> shapes = new ArrayList<>();
    for (LocalVariableNode local : locals) {
      shapes.add(local.index + " " + local.desc + " " + local.signature + " " + positions.get(local.start) + "-"
          + positions.get(local.end));
    }
    shapes.sort(null);
    return shapes;
  }

  private static List<String> localNames(List<LocalVariableNode> locals) {
    List<String> names = new ArrayList<>();
    for (LocalVariableNode local : locals) {
      names.add(local.index + " " + local.name);
    }
    names.sort(null);
    return names;
  }

  private static String parameters(List<ParameterNode> parameters) {
    if (parameters == null) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    parameters.forEach(p -> text.append(p.name).append('/').append(p.access).append(' '));
    return text.toString();
  }

  private static String methodAnnotations(MethodNode method) {
    StringBuilder text = new StringBuilder();
    annotations(text, method.visibleAnnotations);
    annotations(text, method.invisibleAnnotations);
    annotations(text, method.visibleTypeAnnotations);
    annotations(text, method.invisibleTypeAnnotations);
    annotations(text, method.visibleLocalVariableAnnotations);
    annotations(text, method.invisibleLocalVariableAnnotations);
    parameterAnnotations(text, method.visibleParameterAnnotations);
    parameterAnnotations(text, method.invisibleParameterAnnotations);
    text.append(method.visibleAnnotableParameterCount).append(method.invisibleAnnotableParameterCount);
    text.append(value(method.annotationDefault));
    // Type annotations on instructions and handlers hang off the instruction nodes.
    for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
      annotations(text, insn.visibleTypeAnnotations);
      annotations(text, insn.invisibleTypeAnnotations);
    }
    if (method.tryCatchBlocks != null) {
      method.tryCatchBlocks.forEach(b -> {
        annotations(text, b.visibleTypeAnnotations);
        annotations(text, b.invisibleTypeAnnotations);
      });
    }
    return text.toString();
  }

  private static String classAnnotations(ClassNode node) {
    StringBuilder text = new StringBuilder();
    annotations(text, node.visibleAnnotations);
    annotations(text, node.invisibleAnnotations);
    annotations(text, node.visibleTypeAnnotations);
    annotations(text, node.invisibleTypeAnnotations);
    return text.toString();
  }

  private static String fieldAnnotations(FieldNode field) {
    StringBuilder text = new StringBuilder();
    annotations(text, field.visibleAnnotations);
    annotations(text, field.invisibleAnnotations);
    annotations(text, field.visibleTypeAnnotations);
    annotations(text, field.invisibleTypeAnnotations);
    return text.toString();
  }

  private static void parameterAnnotations(StringBuilder text, List<AnnotationNode>[] perParameter) {
    if (perParameter != null) {
      for (List<AnnotationNode> annotations : perParameter) {
        text.append('(');
        annotations(text, annotations);
        text.append(')');
      }
    }
  }

  private static void annotations(StringBuilder text, List<? extends AnnotationNode> annotations) {
    if (annotations == null) {
      return;
    }
    for (AnnotationNode annotation : annotations) {
      text.append('@').append(value(annotation)).append(';');
    }
  }

  private static String value(Object value) {
    if (value instanceof AnnotationNode annotation) {
      StringBuilder text = new StringBuilder(annotation.desc == null ? "" : annotation.desc).append('{');
      if (annotation.values != null) {
        for (Object element : annotation.values) {
          text.append(value(element)).append(',');
        }
      }
      if (annotation instanceof org.objectweb.asm.tree.TypeAnnotationNode type) {
        text.append(type.typeRef).append(type.typePath);
      }
      return text.append('}').toString();
    }
    if (value instanceof List<?> list) {
      StringBuilder text = new StringBuilder("[");
      list.forEach(v -> text.append(value(v)).append(','));
      return text.append(']').toString();
    }
    if (value instanceof String[] enumValue) {
      return String.join(".", enumValue);
    }
    return String.valueOf(value);
  }

  private static List<String> frames(MethodNode method) {
    List<String> frames = new ArrayList<>();
    int position = 0;
    for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
      if (insn instanceof FrameNode frame) {
        frames.add(position + " " + frame.type + " " + frameItems(frame.local) + " " + frameItems(frame.stack));
      } else if (insn.getOpcode() >= 0) {
        position++;
      }
    }
    return frames;
  }

  private static String frameItems(List<Object> items) {
    if (items == null) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    for (Object item : items) {
      // A label stands for an uninitialised object created at that position.
      text.append(item instanceof LabelNode ? "new" : String.valueOf(item)).append(',');
    }
    return text.toString();
  }

  private static List<String> innerClasses(ClassNode node) {
    List<String> entries = new ArrayList<>();
    for (InnerClassNode inner : node.innerClasses) {
      entries.add(inner.name + " " + inner.outerName + " " + inner.innerName + " " + inner.access);
    }
    entries.sort(null);
    return entries;
  }

  private static List<String> attributes(List<Attribute> attributes) {
    List<String> types = new ArrayList<>();
    if (attributes != null) {
      attributes.forEach(a -> types.add(a.type));
    }
    types.sort(null);
    return types;
  }
}
