package org.jlivepatch.core.diff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.fingerprint.MethodComparison;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.splice.ClassSplicer;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.RecordComponentNode;

/**
 * Classifies the differences between the old and the new version of one class: changed bodies to
 * patch in place, what redefinition cannot carry (refused, with the way out), what a reviewer must
 * know (warnings) and compiler noise (ignored, with the precise reason).
 */
final class ClassComparer {

  /** Access flags as the class file has them, without ASM's pseudo flags. */
  private static final int CLASS_FILE_FLAGS = 0xFFFF;
  private static final String RESTART = "restart the application with the new build";
  private static final String NO_TRAMPOLINE = "needs a trampoline, which jlivepatch does not build yet";

  private final String className;
  private final byte[] oldBytes;
  private final Findings findings;
  private final ClassNode oldClass;
  private final ClassNode newClass;

  private ClassComparer(String className, ParsedPair pair, Findings findings) {
    this.className = className;
    this.oldBytes = pair.oldBytes();
    this.findings = findings;
    this.oldClass = pair.oldClass();
    this.newClass = pair.newClass();
  }

  /**
   * Two versions of a class, as bytes and as read with everything (debug information, frames);
   * {@code newClass} may have synthetics renamed to their old names, which {@code newBytes} has not.
   */
  record ParsedPair(byte[] oldBytes, byte[] newBytes, ClassNode oldClass, ClassNode newClass) {

    /** Reads both versions. */
    static ParsedPair read(String className, byte[] oldBytes, byte[] newBytes) {
      return new ParsedPair(oldBytes, newBytes, ClassComparer.read(oldBytes, "old", className),
          ClassComparer.read(newBytes, "new", className));
    }

    /**
     * Whether a synthetic differs by name: in an anonymous class any method, elsewhere a lambda
     * body or accessor added, removed or changed. A renumbering always shows as such a difference.
     */
    boolean syntheticsDiffer() {
      boolean anonymous = SyntheticNames.isAnonymousClass(oldClass.name);
      Map<String, MethodNode> news = new HashMap<>();
      for (MethodNode method : newClass.methods) {
        if (anonymous || SyntheticNames.methodKind(method.name) != null) {
          news.put(method.name + method.desc, method);
        }
      }
      for (MethodNode oldMethod : oldClass.methods) {
        if (anonymous || SyntheticNames.methodKind(oldMethod.name) != null) {
          MethodNode newMethod = news.remove(oldMethod.name + oldMethod.desc);
          if (newMethod == null || !MethodComparison.sameFingerprint(oldMethod, newMethod)) {
            return true;
          }
        }
      }
      return !news.isEmpty();
    }
  }

  /** Compares two versions of a class and records the result. */
  static void compare(String className, ParsedPair pair, Findings findings, CompilationDifferences compilation) {
    ClassComparer comparer = new ClassComparer(className, pair, findings);
    compilation.compare(className, comparer.oldClass, comparer.newClass);
    comparer.compare();
  }

  static ClassNode read(byte[] bytes, String build, String className) {
    ClassNode node = new ClassNode();
    try {
      new ClassReader(bytes).accept(node, 0);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("class " + className + " of the " + build + " build is not readable: " + e, e);
    }
    return node;
  }

  private void compare() {
    int firstIgnored = findings.ignored.size();
    int recorded = recordedCount();
    compareHeader();
    compareFields();
    List<String> changedKeys = compareMethods();
    Set<String> classReasons = NonSemanticDifferences.ofClasses(oldClass, newClass);
    if (!sameMemberOrder(oldClass, newClass) && !memberOrder(oldClass).equals(memberOrder(newClass))) {
      classReasons.add("member order");
    }
    if (!classReasons.isEmpty()) {
      findings.ignore(className, "", "", NonSemanticDifferences.reason(classReasons,
          () -> NonSemanticDifferences.debugDetail(oldClass, newClass)));
    }
    if (!changedKeys.isEmpty()) {
      patch(changedKeys);
    } else if (recordedCount() == recorded) {
      // Every member and attribute ASM exposes is equal: what is left is the constant pool.
      findings.ignore(className, "", "", NonSemanticDifferences.CONSTANT_POOL + " only");
    }
    findings.sortIgnoredSince(firstIgnored);
  }

  private int recordedCount() {
    return findings.ignored.size() + findings.refused.size() + findings.warnings.size();
  }

  private void compareHeader() {
    int oldMajor = oldClass.version & 0xFFFF;
    int newMajor = newClass.version & 0xFFFF;
    if (oldMajor != newMajor) {
      findings.refuse(className, "class-file version", "class-file major version changed from "
          + MemberText.majorVersion(oldMajor) + " to " + MemberText.majorVersion(newMajor)
          + ": the patched class keeps the running version, which new-version code may not run under; "
          + "compile the fix for the release the running build targets (javac --release), or " + RESTART);
    }
    int oldAccess = oldClass.access & CLASS_FILE_FLAGS & ~Opcodes.ACC_SUPER;
    int newAccess = newClass.access & CLASS_FILE_FLAGS & ~Opcodes.ACC_SUPER;
    if (oldAccess != newAccess) {
      findings.refuse(className, "modifiers", "changed class modifiers from `" + MemberText.modifiers(oldAccess, false)
          + "` to `" + MemberText.modifiers(newAccess, false)
          + "`: redefinition cannot change class modifiers; keep the old ones in the fix, or " + RESTART);
    }
    if (!Objects.equals(oldClass.superName, newClass.superName)) {
      findings.refuse(className, "superclass", "changed superclass from " + binary(oldClass.superName) + " to "
          + binary(newClass.superName) + ": redefinition cannot change the class hierarchy; " + RESTART);
    }
    if (!oldClass.interfaces.equals(newClass.interfaces)) {
      findings.refuse(className, "interfaces", "changed interfaces from " + binaries(oldClass.interfaces) + " to "
          + binaries(newClass.interfaces) + ": redefinition cannot change the class hierarchy; " + RESTART);
    }
    if (!Objects.equals(oldClass.nestHostClass, newClass.nestHostClass)) {
      findings.refuse(className, "nest host", "changed nest host from " + binary(oldClass.nestHostClass) + " to "
          + binary(newClass.nestHostClass) + ": redefinition cannot change a class's nest; " + RESTART);
    }
    compareNameSets("nest members", oldClass.nestMembers, newClass.nestMembers,
        "redefinition cannot change a class's nest (an added nested or anonymous class " + NO_TRAMPOLINE + "); "
            + RESTART);
    compareNameSets("permitted subclasses", oldClass.permittedSubclasses, newClass.permittedSubclasses,
        "redefinition cannot change the permitted subclasses of a sealed class; " + RESTART);
    String oldComponents = recordComponents(oldClass.recordComponents);
    String newComponents = recordComponents(newClass.recordComponents);
    if (!oldComponents.equals(newComponents)) {
      findings.refuse(className, "record components", "changed record components from " + oldComponents + " to "
          + newComponents + ": redefinition cannot change record components; " + RESTART);
    }
  }

  private void compareNameSets(String what, List<String> oldNames, List<String> newNames, String wayOut) {
    Set<String> olds = new TreeSet<>(oldNames == null ? List.of() : oldNames);
    Set<String> news = new TreeSet<>(newNames == null ? List.of() : newNames);
    if (olds.equals(news)) {
      return;
    }
    Set<String> added = new TreeSet<>(news);
    added.removeAll(olds);
    Set<String> removed = new TreeSet<>(olds);
    removed.removeAll(news);
    StringJoiner change = new StringJoiner("; ");
    if (!added.isEmpty()) {
      change.add("added " + binaries(added.stream().map(Renaming::newBuildName).toList()));
    }
    if (!removed.isEmpty()) {
      change.add("removed " + binaries(List.copyOf(removed)));
    }
    findings.refuse(className, what, "changed " + what + " (" + change + "): " + wayOut);
  }

  private void compareFields() {
    Map<String, FieldNode> olds = byKey(oldClass.fields);
    Map<String, FieldNode> news = byKey(newClass.fields);
    Map<String, FieldNode> removedByName = new LinkedHashMap<>();
    olds.forEach((key, field) -> {
      if (!news.containsKey(key)) {
        removedByName.put(field.name, field);
      }
    });
    for (FieldNode added : newClass.fields) {
      if (olds.containsKey(added.name + ":" + added.desc)) {
        continue;
      }
      FieldNode retyped = removedByName.remove(added.name);
      if (retyped != null) {
        findings.refuse(className, MemberText.fieldMember(added.name, added.desc), "changed type of field "
            + MemberText.field(retyped.name, retyped.desc) + " to " + Type.getType(added.desc).getClassName()
            + ": redefinition cannot change fields; add a shadow field instead (trampolines issue), or " + RESTART);
      } else {
        findings.refuse(className, MemberText.fieldMember(added.name, added.desc), "added field "
            + MemberText.field(added.name, added.desc)
            + ": redefinition cannot add fields; use a shadow field (trampolines issue), or " + RESTART);
      }
    }
    removedByName.values().forEach(removed -> findings.refuse(className,
        MemberText.fieldMember(removed.name, removed.desc), "removed field " + MemberText.field(removed.name, removed.desc)
            + ": redefinition cannot remove fields; keep the field in the fix, unused, or " + RESTART));
    olds.forEach((key, oldField) -> {
      FieldNode newField = news.get(key);
      if (newField == null) {
        return;
      }
      String member = MemberText.fieldMember(oldField.name, oldField.desc);
      int oldAccess = oldField.access & CLASS_FILE_FLAGS;
      int newAccess = newField.access & CLASS_FILE_FLAGS;
      if (oldAccess != newAccess) {
        findings.refuse(className, member, "changed modifiers of field " + MemberText.field(oldField.name, oldField.desc)
            + " from `" + MemberText.modifiers(oldAccess, false) + "` to `" + MemberText.modifiers(newAccess, false)
            + "`: redefinition cannot change field modifiers; keep the old ones in the fix, or " + RESTART);
      }
      if (!Objects.equals(oldField.value, newField.value)) {
        boolean isStatic = (oldField.access & Opcodes.ACC_STATIC) != 0;
        findings.warn(className, member, (isStatic ? "static final constant " : "final field with constant initializer ")
            + MemberText.field(oldField.name, oldField.desc) + " changed from " + constant(oldField.value) + " to "
            + constant(newField.value) + ": javac inlined it into every class that uses it, and those changed and are "
            + "patched, but the field keeps " + (isStatic ? "its old value" : "the old value in existing objects")
            + " in the running JVM (reflection and code outside the patch see " + constant(oldField.value)
            + "); a postApply hook can update it if it matters");
      }
    });
  }

  /** Returns the keys of the methods to patch, in the old class's order. */
  private List<String> compareMethods() {
    if (sameMemberOrder(oldClass, newClass)) {
      // The usual case: the same methods in the same order, none added or removed.
      List<String> changed = new ArrayList<>();
      for (int i = 0; i < oldClass.methods.size(); i++) {
        compareMethod(oldClass.methods.get(i), newClass.methods.get(i), changed);
      }
      return changed;
    }
    Map<MethodKey, MethodNode> olds = byKeyMethods(oldClass.methods);
    Map<MethodKey, MethodNode> news = byKeyMethods(newClass.methods);
    List<MethodNode> added = new ArrayList<>();
    newClass.methods.forEach(m -> {
      if (!olds.containsKey(new MethodKey(m.name, m.desc))) {
        added.add(m);
      }
    });
    List<MethodNode> removed = new ArrayList<>();
    oldClass.methods.forEach(m -> {
      if (!news.containsKey(new MethodKey(m.name, m.desc))) {
        removed.add(m);
      }
    });
    reportSignatureChanges(added, removed);
    added.forEach(this::refuseAdded);
    removed.forEach(this::warnRemoved);

    List<String> changed = new ArrayList<>();
    for (MethodNode oldMethod : oldClass.methods) {
      MethodNode newMethod = news.get(new MethodKey(oldMethod.name, oldMethod.desc));
      if (newMethod != null) {
        compareMethod(oldMethod, newMethod, changed);
      }
    }
    return changed;
  }

  /** Compares two versions of a method, adding its key to {@code changed} if its body is to be patched. */
  private void compareMethod(MethodNode oldMethod, MethodNode newMethod, List<String> changed) {
    int oldAccess = oldMethod.access & CLASS_FILE_FLAGS;
    int newAccess = newMethod.access & CLASS_FILE_FLAGS;
    if (oldAccess != newAccess) {
      findings.refuse(className, MemberText.methodMember(oldMethod.name, oldMethod.desc), "changed modifiers of method "
          + MemberText.method(oldMethod.name, oldMethod.desc) + " from `" + MemberText.modifiers(oldAccess, true)
          + "` to `" + MemberText.modifiers(newAccess, true)
          + "`: redefinition cannot change method modifiers; keep the old ones in the fix, or " + RESTART);
      return;
    }
    if (!MethodComparison.sameFingerprint(oldMethod, newMethod)) {
      if (oldMethod.name.equals("<clinit>")) {
        findings.refuse(className, MemberText.methodMember(oldMethod.name, oldMethod.desc), "changed static "
            + "initializer: <clinit> never runs again in a live JVM, so the change would not take effect; do the new "
            + "initialisation in a postApply hook, or " + RESTART);
      } else {
        changed.add(oldMethod.name + oldMethod.desc);
      }
      return;
    }
    Set<String> reasons = NonSemanticDifferences.ofMethods(oldMethod, newMethod);
    if (!reasons.isEmpty()) {
      findings.ignore(className, oldMethod.name, oldMethod.desc,
          NonSemanticDifferences.reason(reasons, () -> NonSemanticDifferences.debugDetail(oldMethod, newMethod)));
    }
  }

  /** A method that lost one descriptor and gained another under the same name changed its signature. */
  private void reportSignatureChanges(List<MethodNode> added, List<MethodNode> removed) {
    for (MethodNode gained : List.copyOf(added)) {
      List<MethodNode> sameNameAdded = added.stream().filter(m -> m.name.equals(gained.name)).toList();
      List<MethodNode> sameNameRemoved = removed.stream().filter(m -> m.name.equals(gained.name)).toList();
      if (sameNameAdded.size() != 1 || sameNameRemoved.size() != 1 || SyntheticNames.methodKind(gained.name) != null) {
        continue;
      }
      MethodNode lost = sameNameRemoved.get(0);
      findings.refuse(className, MemberText.methodMember(lost.name, lost.desc), "changed signature of method "
          + MemberText.method(lost.name, lost.desc) + " to " + MemberText.method(gained.name, gained.desc) + " ("
          + lost.desc + " to " + gained.desc + "): redefinition cannot change method signatures; keep the old "
          + "signature in the fix (a new overload " + NO_TRAMPOLINE + "), or " + RESTART);
      added.remove(gained);
      removed.remove(lost);
    }
  }

  private void refuseAdded(MethodNode method) {
    String name = Renaming.newBuildName(method.name);
    String member = MemberText.methodMember(name, method.desc);
    String kind = SyntheticNames.methodKind(name);
    if (method.name.equals("<clinit>")) {
      findings.refuse(className, member, "added static initializer: it would never run in a class the running JVM "
          + "has already initialised; do its work in a postApply hook, or " + RESTART);
    } else if (SyntheticNames.LAMBDA.equals(kind)) {
      findings.refuse(className, member, "added lambda body " + name + method.desc
          + ": redefinition cannot add methods; a new lambda " + NO_TRAMPOLINE);
    } else if (SyntheticNames.ACCESSOR.equals(kind)) {
      findings.refuse(className, member, "added synthetic accessor " + name + method.desc
          + ": redefinition cannot add methods; a new accessor " + NO_TRAMPOLINE);
    } else {
      findings.refuse(className, member, "added method " + MemberText.method(name, method.desc)
          + ": redefinition cannot add methods; an added method " + NO_TRAMPOLINE);
    }
  }

  private void warnRemoved(MethodNode method) {
    String member = MemberText.methodMember(method.name, method.desc);
    if (method.name.equals("<clinit>")) {
      findings.warn(className, member, "static initializer removed in the new build: the running class was "
          + "initialised by the old one, and that stays done");
      return;
    }
    findings.warn(className, member, "method " + MemberText.method(method.name, method.desc)
        + " removed in the new build: it stays in the running class, since redefinition keeps it, and code "
        + "outside the patch can still call it");
  }

  private void patch(List<String> changedKeys) {
    byte[] spliced = ClassSplicer.splice(oldBytes, newClass, changedKeys);
    Map<String, String> oldPrints = new LinkedHashMap<>();
    oldClass.methods.forEach(m -> {
      if (changedKeys.contains(m.name + m.desc)) {
        oldPrints.put(m.name + m.desc, Fingerprints.ofMethod(m));
      }
    });
    Map<String, String> newPrints = Fingerprints.ofMethods(spliced, changedKeys);
    List<PatchedMethod> methods = new ArrayList<>();
    for (String key : changedKeys) {
      int paren = key.indexOf('(');
      String name = key.substring(0, paren);
      String descriptor = key.substring(paren);
      methods.add(new PatchedMethod(name, descriptor, ChangeKind.IN_PLACE, oldPrints.get(key), newPrints.get(key)));
      findings.changed.add(new ChangedMethod(className, name, descriptor, ChangeKind.IN_PLACE));
    }
    findings.classes.add(new PatchedClass(className, oldBytes, spliced, methods));
  }

  private static Map<String, FieldNode> byKey(List<FieldNode> fields) {
    Map<String, FieldNode> result = new LinkedHashMap<>();
    fields.forEach(f -> result.put(f.name + ":" + f.desc, f));
    return result;
  }

  /** A method's name and descriptor, as a map key that reuses the hash codes of the strings ASM read. */
  private record MethodKey(String name, String descriptor) {}

  private static Map<MethodKey, MethodNode> byKeyMethods(List<MethodNode> methods) {
    Map<MethodKey, MethodNode> result = new HashMap<>();
    methods.forEach(m -> result.put(new MethodKey(m.name, m.desc), m));
    return result;
  }

  /** Whether the classes list the same fields and methods in the same order; then {@link #memberOrder}s are equal. */
  private static boolean sameMemberOrder(ClassNode a, ClassNode b) {
    if (a.fields.size() != b.fields.size() || a.methods.size() != b.methods.size()) {
      return false;
    }
    for (int i = 0; i < a.fields.size(); i++) {
      FieldNode x = a.fields.get(i);
      FieldNode y = b.fields.get(i);
      if (!x.name.equals(y.name) || !x.desc.equals(y.desc)) {
        return false;
      }
    }
    for (int i = 0; i < a.methods.size(); i++) {
      MethodNode x = a.methods.get(i);
      MethodNode y = b.methods.get(i);
      if (!x.name.equals(y.name) || !x.desc.equals(y.desc)) {
        return false;
      }
    }
    return true;
  }

  private static String memberOrder(ClassNode node) {
    StringBuilder order = new StringBuilder();
    node.fields.forEach(f -> order.append(f.name).append(':').append(f.desc).append(' '));
    node.methods.forEach(m -> order.append(m.name).append(m.desc).append(' '));
    return order.toString();
  }

  private static String recordComponents(List<RecordComponentNode> components) {
    if (components == null) {
      return "none";
    }
    StringJoiner text = new StringJoiner(", ", "(", ")");
    components.forEach(c -> text.add(Type.getType(c.descriptor).getClassName() + " " + c.name));
    return text.toString();
  }

  private static String constant(Object value) {
    return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
  }

  private static String binary(String internalName) {
    return internalName == null ? "none" : Renaming.newBuildName(internalName).replace('/', '.');
  }

  private static String binaries(List<String> internalNames) {
    StringJoiner text = new StringJoiner(", ", "[", "]");
    internalNames.forEach(n -> text.add(binary(n)));
    return text.toString();
  }
}
