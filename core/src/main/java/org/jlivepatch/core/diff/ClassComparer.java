package org.jlivepatch.core.diff;

import java.lang.invoke.LambdaMetafactory;
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
import org.jlivepatch.core.model.ShadowField;
import org.jlivepatch.core.splice.ClassSplicer;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
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
  private static final String LAMBDA_METAFACTORY = "java/lang/invoke/LambdaMetafactory";
  private static final String RESTART = "restart the application with the new build";
  private static final String HOOKS_DOC = "see docs/hooks.md";

  private final String className;
  private final byte[] oldBytes;
  private final Findings findings;
  private final ClassNode oldClass;
  private final ClassNode newClass;
  private final Additions additions;
  private final Supertypes supertypes;
  /** A reader of the old class file that has decoded its strings already, or null. */
  private final ClassReader oldReader;
  /** The methods whose code is the same in both versions, read without it; null if none. */
  private final CodeMatch sameCode;
  /** The fields the fix adds to this class, in the new class's order: its shadow fields unless refused. */
  private final List<FieldNode> shadowFields = new ArrayList<>();

  private ClassComparer(String className, ParsedPair pair, Findings findings, Additions additions,
      Supertypes supertypes) {
    this.className = className;
    this.oldBytes = pair.oldBytes();
    this.findings = findings;
    this.oldClass = pair.oldClass();
    this.newClass = pair.newClass();
    this.additions = additions;
    this.supertypes = supertypes;
    this.sameCode = pair.sameCode();
    this.oldReader = pair.oldReader();
  }

  /**
   * Two versions of a class, as bytes and as read with everything (debug information, frames);
   * {@code newClass} may have synthetics renamed to their old names, which {@code newBytes} has not.
   * {@code sameCode}, if not null, holds the methods whose code is the same in both versions, which
   * the comparison takes from it; where the readers are not null, those methods were read without
   * their code (the readers, with the strings they decoded, serve to read them in full).
   */
  record ParsedPair(byte[] oldBytes, byte[] newBytes, ClassNode oldClass, ClassNode newClass, CodeMatch sameCode,
      ClassReader oldReader, ClassReader newReader) {

    /** Two versions read in full, with nothing known of their code. */
    ParsedPair(byte[] oldBytes, byte[] newBytes, ClassNode oldClass, ClassNode newClass) {
      this(oldBytes, newBytes, oldClass, newClass, null, null, null);
    }

    /** Reads both versions, the code of the methods whose code is the same in both left out. */
    static ParsedPair read(String className, byte[] oldBytes, byte[] newBytes, ClassReaders readers) {
      ClassReader oldReader = readers.take(oldBytes);
      ClassReader newReader = readers.take(newBytes);
      CodeMatch sameCode;
      try {
        sameCode = CodeMatch.of(oldReader, oldBytes, newReader, newBytes);
      } catch (RuntimeException e) {
        sameCode = null; // a malformed class file: the full read below says what is wrong with it
      }
      if (sameCode == null || sameCode.count() == 0) {
        return new ParsedPair(oldBytes, newBytes, ClassComparer.read(oldReader, "old", className),
            ClassComparer.read(newReader, "new", className));
      }
      return new ParsedPair(oldBytes, newBytes, readWithout(oldReader, sameCode, true, className),
          readWithout(newReader, sameCode, false, className), sameCode, oldReader, newReader);
    }

    /**
     * This pair with every method read in full, as matching synthetics needs. What is known of their
     * code stays valid as long as the new class is not renamed.
     */
    ParsedPair full() {
      if (oldReader == null) {
        return this;
      }
      String className = oldClass.name.replace('/', '.');
      return new ParsedPair(oldBytes, newBytes, ClassComparer.read(oldReader, "old", className),
          ClassComparer.read(newReader, "new", className), sameCode, null, null);
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

  /**
   * Compares two versions of a class and records the result.
   *
   * @param additions what the fix adds anywhere, every class's additions recorded already
   * @param supertypes the old build's hierarchy, for added methods that would override
   */
  static void compare(String className, ParsedPair pair, Findings findings, CompilationDifferences compilation,
      Additions additions, Supertypes supertypes) {
    ClassComparer comparer = new ClassComparer(className, pair, findings, additions, supertypes);
    compilation.compare(className, comparer.oldClass, comparer.newClass, pair.sameCode());
    comparer.compare();
  }

  static ClassNode read(ClassReaders readers, byte[] bytes, String build, String className) {
    return read(readers.take(bytes), build, className);
  }

  private static ClassNode read(ClassReader reader, String build, String className) {
    ClassNode node = new ClassNode();
    try {
      reader.accept(node, 0);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("class " + className + " of the " + build + " build is not readable: " + e, e);
    }
    return node;
  }

  /**
   * Reads a class with everything but the code of the methods {@code sameCode} matched: those keep
   * their headers (modifiers, signature, throws, parameters, annotations) and an empty body.
   */
  private static ClassNode readWithout(ClassReader reader, CodeMatch sameCode, boolean old, String className) {
    String build = old ? "old" : "new";
    ClassNode node = new ClassNode();
    try {
      reader.accept(node, ClassReader.SKIP_CODE);
      if (sameCode.all(old)) {
        return node;
      }
      reader.accept(new ClassVisitor(Opcodes.ASM9) {
        private int index = -1;

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
            String[] exceptions) {
          index++;
          if (sameCode.same(index, old)) {
            return null;
          }
          MethodNode method = new MethodNode(Opcodes.ASM9, access, name, descriptor, signature, exceptions);
          node.methods.set(index, method);
          return method;
        }
      }, 0);
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
    Changes changes = compareMethods();
    Set<String> classReasons = NonSemanticDifferences.ofClasses(oldClass, newClass);
    if (!sameMemberOrder(oldClass, newClass) && !memberOrder(oldClass).equals(memberOrder(newClass))
        && !memberOrder(oldClass, newClass).equals(memberOrder(newClass, oldClass))) {
      classReasons.add("member order");
    }
    if (!classReasons.isEmpty()) {
      findings.ignore(className, "", "", NonSemanticDifferences.reason(classReasons,
          () -> NonSemanticDifferences.debugDetail(oldClass, newClass)));
    }
    if (!changes.isEmpty() || !shadowFields.isEmpty()) {
      patch(changes);
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
    compareNestMembers();
    compareNameSets("permitted subclasses", oldClass.permittedSubclasses, newClass.permittedSubclasses,
        "redefinition cannot change the permitted subclasses of a sealed class; " + RESTART);
    String oldComponents = recordComponents(oldClass.recordComponents);
    String newComponents = recordComponents(newClass.recordComponents);
    if (!oldComponents.equals(newComponents)) {
      findings.refuse(className, "record components", "changed record components from " + oldComponents + " to "
          + newComponents + ": redefinition cannot change record components; " + RESTART);
    }
  }

  /**
   * A nest may gain classes the fix adds: they are defined beside the running class and form no nest
   * with it (its NestMembers cannot change), which {@link AddedClasses} checks. Other changes are refused.
   */
  private void compareNestMembers() {
    List<String> olds = oldClass.nestMembers == null ? List.of() : oldClass.nestMembers;
    List<String> news = new ArrayList<>(newClass.nestMembers == null ? List.of() : newClass.nestMembers);
    List<String> gained = news.stream().filter(n -> !olds.contains(n)).toList();
    if (!gained.isEmpty() && gained.stream().allMatch(additions::isAddedClass)) {
      news.removeAll(gained);
      findings.ignore(className, "", "", "nest members gained " + binaries(gained) + ", which the fix adds: the "
          + "running class keeps its nest; an added class is defined on its own beside it");
    }
    compareNameSets("nest members", olds, news, "redefinition cannot change a class's nest; " + RESTART);
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
      change.add("added " + binaries(List.copyOf(added)));
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
            + ": redefinition cannot change fields; add a field with another name instead (it becomes a shadow field), "
            + "or " + RESTART);
      } else {
        shadowFields.add(added);
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

  /** The methods the patch lists with their kinds: changed ones in the old class's order, then added ones. */
  private static final class Changes {
    final Map<String, ChangeKind> kinds = new LinkedHashMap<>();
    /** Added static fields that only the new static initializer sets: it does not run again. */
    final Set<String> initialisedStatics = new TreeSet<>();

    boolean isEmpty() {
      return kinds.isEmpty();
    }
  }

  private Changes compareMethods() {
    Changes changes = new Changes();
    if (sameMemberOrder(oldClass, newClass)) {
      // The usual case: the same methods in the same order, none added or removed.
      for (int i = 0; i < oldClass.methods.size(); i++) {
        if (sameCode != null && sameCode.same(i)) {
          compareSameCode(oldClass.methods.get(i), newClass.methods.get(i), i);
        } else {
          compareMethod(oldClass.methods.get(i), newClass.methods.get(i), changes);
        }
      }
      warnShadowFields(changes);
      return changes;
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
    removed.forEach(this::warnRemoved);

    for (int i = 0; i < oldClass.methods.size(); i++) {
      MethodNode oldMethod = oldClass.methods.get(i);
      MethodNode newMethod = news.get(new MethodKey(oldMethod.name, oldMethod.desc));
      if (newMethod == null) {
        continue;
      }
      if (sameCode != null && sameCode.same(i)) {
        compareSameCode(oldMethod, newMethod, i);
      } else {
        compareMethod(oldMethod, newMethod, changes);
      }
    }
    added.forEach(method -> classifyAdded(method, changes));
    warnShadowFields(changes);
    return changes;
  }

  /** Compares two versions of a method, recording its kind in {@code changes} if the patch changes it. */
  private void compareMethod(MethodNode oldMethod, MethodNode newMethod, Changes changes) {
    if (refusedModifiers(oldMethod, newMethod)) {
      return;
    }
    if (!MethodComparison.sameFingerprint(oldMethod, newMethod)) {
      if (oldMethod.name.equals("<clinit>")) {
        staticInitializer(oldMethod, newMethod, changes);
      } else {
        classifyChanged(newMethod, changes);
      }
      return;
    }
    Set<String> reasons = NonSemanticDifferences.ofMethods(oldMethod, newMethod);
    if (!reasons.isEmpty()) {
      findings.ignore(className, oldMethod.name, oldMethod.desc,
          NonSemanticDifferences.reason(reasons, () -> NonSemanticDifferences.debugDetail(oldMethod, newMethod)));
    }
  }

  /**
   * Compares two versions of a method whose code {@link #sameCode} found the same, read without it:
   * as {@link #compareMethod} would, whose fingerprints are then equal.
   */
  private void compareSameCode(MethodNode oldMethod, MethodNode newMethod, int index) {
    if (refusedModifiers(oldMethod, newMethod)) {
      return;
    }
    Set<String> reasons = NonSemanticDifferences.ofSameCode(oldMethod, newMethod, sameCode, index);
    if (!reasons.isEmpty()) {
      findings.ignore(className, oldMethod.name, oldMethod.desc,
          NonSemanticDifferences.reason(reasons, () -> NonSemanticDifferences.debugDetail(sameCode, index)));
    }
  }

  /** Refuses a change of the method's modifiers, which redefinition cannot make; whether it did. */
  private boolean refusedModifiers(MethodNode oldMethod, MethodNode newMethod) {
    int oldAccess = oldMethod.access & CLASS_FILE_FLAGS;
    int newAccess = newMethod.access & CLASS_FILE_FLAGS;
    if (oldAccess == newAccess) {
      return false;
    }
    findings.refuse(className, MemberText.methodMember(oldMethod.name, oldMethod.desc), "changed modifiers of method "
        + MemberText.method(oldMethod.name, oldMethod.desc) + " from `" + MemberText.modifiers(oldAccess, true)
        + "` to `" + MemberText.modifiers(newAccess, true)
        + "`: redefinition cannot change method modifiers; keep the old ones in the fix, or " + RESTART);
    return true;
  }

  /**
   * A changed body stays in place unless it uses a method, lambda or field the fix adds: then it needs
   * a trampoline, which constructors cannot have, nor bodies taking a method handle only their class
   * may resolve.
   */
  private void classifyChanged(MethodNode method, Changes changes) {
    String member = MemberText.methodMember(method.name, method.desc);
    Additions.Uses uses = additions.uses(newClass.name, method);
    if (!uses.otherMethods().isEmpty()) {
      refuseOtherClassMethods(member, MemberText.method(method.name, method.desc), uses);
      return;
    }
    if (!uses.needsTrampoline()) {
      changes.kinds.put(method.name + method.desc, ChangeKind.IN_PLACE);
      return;
    }
    String used = String.join(", ", uses.addedMembers(className));
    if (method.name.equals("<init>")) {
      findings.refuse(className, member, "constructor " + MemberText.method(method.name, method.desc)
          + " uses what the fix adds (" + used + "): a constructor cannot move into the patch's hidden class (it "
          + "must run in its own class, and redefinition cannot add members to that); move the new code out of the "
          + "constructor into a method (e.g. set the field where it is first used; until then objects see its "
          + "default value), or " + RESTART);
      return;
    }
    String serializable = serializableLambda(method);
    if (serializable != null) {
      findings.refuse(className, member, "method " + MemberText.method(method.name, method.desc)
          + " needs a trampoline, since it uses what the fix adds (" + used + "), but cannot move into the patch's "
          + "hidden class: " + serializable);
      return;
    }
    String handle = handleOnlyItsClassMayTake(uses);
    if (handle != null) {
      findings.refuse(className, member, "method " + MemberText.method(method.name, method.desc)
          + " needs a trampoline, since it uses what the fix adds (" + used + "), but cannot move into the patch's "
          + "hidden class: it takes a method handle on " + handle + ", which the JVM resolves with the access of "
          + "the class holding the code, and only code of " + className + " itself may use; write a lambda that "
          + "makes the call instead of the method reference, or " + RESTART);
      return;
    }
    changes.kinds.put(method.name + method.desc, ChangeKind.TRAMPOLINE);
  }

  /** A method the fix adds lives in the patch's hidden class, if it can. */
  private void classifyAdded(MethodNode method, Changes changes) {
    String name = method.name;
    String member = MemberText.methodMember(name, method.desc);
    String shown = MemberText.method(name, method.desc);
    if (name.equals("<clinit>")) {
      staticInitializer(null, method, changes);
      return;
    }
    if (name.equals("<init>")) {
      findings.refuse(className, member, "added constructor " + shown + ": redefinition cannot add a constructor, "
          + "and a constructor cannot move into the patch's hidden class; create the object with an existing "
          + "constructor and set the rest in a method, or " + RESTART);
      return;
    }
    if ((method.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
      findings.refuse(className, member, "added " + ((method.access & Opcodes.ACC_NATIVE) != 0 ? "native" : "abstract")
          + " method " + shown + ": redefinition cannot add methods, and a method without a body cannot live in the "
          + "patch's hidden class; " + RESTART);
      return;
    }
    Additions.Uses uses = additions.uses(newClass.name, method);
    if (!uses.otherMethods().isEmpty()) {
      refuseOtherClassMethods(member, "added method " + shown, uses);
      return;
    }
    String serializable = serializableLambda(method);
    if (serializable != null) {
      findings.refuse(className, member, "added method " + shown + " lives in the patch's hidden class, but "
          + serializable);
      return;
    }
    String handle = handleOnlyItsClassMayTake(uses);
    if (handle != null) {
      findings.refuse(className, member, "added method " + shown + " takes a method handle on " + handle
          + ", which the JVM resolves with the access of the class holding the code, and only code of " + className
          + " itself may use, but an added method lives in the patch's hidden class; write a lambda that makes the "
          + "call instead of the method reference, or " + RESTART);
      return;
    }
    boolean isStatic = (method.access & Opcodes.ACC_STATIC) != 0;
    if (!isStatic && (method.access & Opcodes.ACC_PRIVATE) == 0) {
      String overridden = supertypes.overridden(oldClass, name, method.desc);
      if (overridden != null) {
        findings.refuse(className, member, "added method " + shown + " overrides " + overridden + ": an added "
            + "method lives only in the patch's hidden class, so virtual calls never reach it, and redefinition "
            + "cannot add it to " + className + "; " + RESTART);
        return;
      }
      findings.warn(className, member, "added method " + shown + " is not private: it lives only in the patch's "
          + "hidden class, where the patch's own code calls it; it is not a virtual method of " + className
          + ", so code outside the patch cannot call it and an override in a subclass is not reached through it");
    }
    changes.kinds.put(name + method.desc, ChangeKind.ADDED);
  }

  /**
   * The first handle constant of a body that a hidden class could not resolve, described, or null:
   * a special handle (a super call) on another class's method, or a handle on a protected member of
   * a superclass in another package (as far as the old build and the platform show the hierarchy;
   * the agent checks again on the running classes). Calls and field accesses are no such limit:
   * the hidden class makes them through its class.
   */
  private String handleOnlyItsClassMayTake(Additions.Uses uses) {
    for (Handle handle : uses.handles()) {
      boolean field = handle.getTag() <= Opcodes.H_PUTSTATIC;
      String member = Additions.binary(handle.getOwner()) + "." + handle.getName() + (field ? ":" : "")
          + handle.getDesc();
      if (handle.getTag() == Opcodes.H_INVOKESPECIAL && !handle.getOwner().equals(newClass.name)) {
        return member + " (a super call)";
      }
      String declaring = supertypes.protectedOutsidePackage(oldClass, handle.getOwner(), handle.getName(),
          handle.getDesc(), field);
      if (declaring != null) {
        return member + " (protected in " + declaring + ", another package)";
      }
    }
    return null;
  }

  /**
   * Why a body cannot create its serializable lambda from the patch's hidden class, or null if it
   * creates none: deserialising the lambda calls {@code $deserializeLambda$} of the capturing class,
   * which a hidden class cannot be found by and a patch cannot add to the patched class.
   */
  private String serializableLambda(MethodNode method) {
    if (method.name.equals("$deserializeLambda$")) {
      return null; // javac's, recreating the lambdas: refused where they are created
    }
    for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
      if (insn instanceof InvokeDynamicInsnNode indy && indy.bsm.getOwner().equals(LAMBDA_METAFACTORY)
          && indy.bsm.getName().equals("altMetafactory") && indy.bsmArgs.length > 3
          && indy.bsmArgs[3] instanceof Integer flags && (flags & LambdaMetafactory.FLAG_SERIALIZABLE) != 0) {
        return "it creates a serializable lambda (" + Type.getReturnType(indy.desc).getClassName() + "), whose "
            + "deserialization needs $deserializeLambda$ in " + className + ", which a patch cannot add; use a named "
            + "class implementing the interface instead, or " + RESTART;
      }
    }
    return null;
  }

  private void refuseOtherClassMethods(String member, String what, Additions.Uses uses) {
    findings.refuse(className, member, what + " calls " + String.join(", ", uses.otherMethods())
        + ", which the fix adds to another class: an added method lives in the hidden class of its own class, "
        + "which the code of other classes cannot reach; move the new code into the class that calls it, or "
        + RESTART);
  }

  /**
   * A static initializer never runs again. A change that only initialises fields the fix adds is left
   * out (the shadow fields' warnings say so); any other change is refused.
   */
  private void staticInitializer(MethodNode oldMethod, MethodNode newMethod, Changes changes) {
    Set<String> addedStatics = new TreeSet<>();
    shadowFields.stream().filter(f -> (f.access & Opcodes.ACC_STATIC) != 0)
        .forEach(f -> addedStatics.add(f.name + ":" + f.desc));
    Set<String> initialised = StaticInitializers.onlyInitialises(oldMethod, newMethod, newClass.name, addedStatics);
    String member = MemberText.methodMember(newMethod.name, newMethod.desc);
    if (initialised != null) {
      changes.initialisedStatics.addAll(initialised);
      findings.ignore(className, newMethod.name, newMethod.desc, (oldMethod == null ? "added" : "changed")
          + " only to initialise the added static field" + (initialised.size() == 1 ? " " : "s ")
          + String.join(", ", initialised) + ": the static initializer ran when the class was loaded and does not "
          + "run again; the field starts at its default value (see its warning)");
      return;
    }
    if (oldMethod == null) {
      findings.refuse(className, member, "added static initializer: it would never run in a class the running JVM "
          + "has already initialised; do its work in a postApply hook, or " + RESTART);
      return;
    }
    findings.refuse(className, member, "changed static initializer: <clinit> never runs again in a live JVM, so the "
        + "change would not take effect; do the new initialisation in a postApply hook, or " + RESTART);
  }

  /** Says plainly, per added field, that it becomes a shadow field and what that means. */
  private void warnShadowFields(Changes changes) {
    for (FieldNode field : shadowFields) {
      String key = field.name + ":" + field.desc;
      boolean isStatic = (field.access & Opcodes.ACC_STATIC) != 0;
      String shown = MemberText.field(field.name, field.desc);
      String defaultValue = defaultValue(field.desc);
      StringBuilder message = new StringBuilder();
      if (isStatic) {
        message.append("added static field ").append(shown).append(" becomes a shadow field: the patch's code keeps "
            + "its value in a holder outside the class, which holds the default value (").append(defaultValue)
            .append(") until it is set; a hook can initialise it (").append(HOOKS_DOC).append(")");
        if (changes.initialisedStatics.contains(key) || field.value != null) {
          message.append(". Its initializer in <clinit> does not run: <clinit> ran when the class was loaded and does "
              + "not re-run, so the field stays ").append(defaultValue)
              .append(" until the patch's code or a postApply hook sets it");
        }
      } else {
        message.append("added field ").append(shown).append(" becomes a shadow field: the patch's code keeps its "
            + "value outside the objects, weakly keyed by object identity; objects that exist before the patch see "
            + "the default value (").append(defaultValue).append(") until it is set; a hook can initialise it (")
            .append(HOOKS_DOC).append(")");
      }
      findings.warn(className, MemberText.fieldMember(field.name, field.desc), message.toString());
    }
  }

  private static String defaultValue(String descriptor) {
    return switch (descriptor.charAt(0)) {
      case 'Z' -> "false";
      case 'C' -> "'\\u0000'";
      case 'B', 'S', 'I', 'J' -> "0";
      case 'F', 'D' -> "0.0";
      default -> "null";
    };
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
          + lost.desc + " to " + gained.desc + "): redefinition cannot change method signatures, and code outside "
          + "the patch still calls the old one; keep the old signature in the fix (a new overload beside it is "
          + "carried by a trampoline), or " + RESTART);
      added.remove(gained);
      removed.remove(lost);
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

  private void patch(Changes changes) {
    List<String> replaced = new ArrayList<>();
    List<String> added = new ArrayList<>();
    changes.kinds.forEach((key, kind) -> (kind == ChangeKind.ADDED ? added : replaced).add(key));
    List<String> fieldKeys = shadowFields.stream().map(f -> f.name + ":" + f.desc).toList();
    byte[] logical = oldReader != null ? ClassSplicer.logical(oldReader, newClass, replaced, added, fieldKeys)
        : ClassSplicer.logical(oldBytes, newClass, replaced, added, fieldKeys);
    Map<String, String> oldPrints = new LinkedHashMap<>();
    oldClass.methods.forEach(m -> {
      if (changes.kinds.containsKey(m.name + m.desc)) {
        oldPrints.put(m.name + m.desc, Fingerprints.ofMethod(m));
      }
    });
    // The logical class holds these very nodes, so their fingerprints are those of its methods.
    Map<String, String> newPrints = new HashMap<>();
    newClass.methods.forEach(m -> {
      if (changes.kinds.containsKey(m.name + m.desc)) {
        newPrints.put(m.name + m.desc, Fingerprints.ofMethod(m));
      }
    });
    List<PatchedMethod> methods = new ArrayList<>();
    changes.kinds.forEach((key, kind) -> {
      int paren = key.indexOf('(');
      String name = key.substring(0, paren);
      String descriptor = key.substring(paren);
      String expected = kind == ChangeKind.ADDED ? "" : oldPrints.get(key);
      methods.add(new PatchedMethod(name, descriptor, kind, expected, newPrints.get(key)));
      findings.changed.add(new ChangedMethod(className, name, descriptor, kind));
    });
    List<ShadowField> shadows = shadowFields.stream()
        .map(f -> new ShadowField(f.name, f.desc, (f.access & Opcodes.ACC_STATIC) != 0)).toList();
    findings.classes.add(new PatchedClass(className, oldBytes, logical, methods, shadows));
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
  static boolean sameMemberOrder(ClassNode a, ClassNode b) {
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

  /** The order of the members {@code other} has too: added and removed members are reported on their own. */
  private static String memberOrder(ClassNode node, ClassNode other) {
    Set<String> kept = new java.util.HashSet<>();
    for (FieldNode f : other.fields) {
      kept.add(f.name + ':' + f.desc);
    }
    for (MethodNode m : other.methods) {
      kept.add(m.name + m.desc);
    }
    StringBuilder order = new StringBuilder();
    for (FieldNode f : node.fields) {
      if (kept.contains(f.name + ':' + f.desc)) {
        order.append(f.name).append(':').append(f.desc).append(' ');
      }
    }
    for (MethodNode m : node.methods) {
      if (kept.contains(m.name + m.desc)) {
        order.append(m.name).append(m.desc).append(' ');
      }
    }
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
    return internalName == null ? "none" : internalName.replace('/', '.');
  }

  private static String binaries(List<String> internalNames) {
    StringJoiner text = new StringJoiner(", ", "[", "]");
    internalNames.forEach(n -> text.add(binary(n)));
    return text.toString();
  }
}
