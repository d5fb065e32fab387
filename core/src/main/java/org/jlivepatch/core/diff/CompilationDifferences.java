package org.jlivepatch.core.diff;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.jar.Manifest;
import org.jlivepatch.core.classes.ClassSet;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Notes how the two builds were compiled differently (JDK, class-file version, {@code -g},
 * {@code -parameters}) and turns that into warnings: such differences explain compiler noise in
 * the diff and may change what a reviewer expects from the patched code.
 */
final class CompilationDifferences {

  private static final String[] MANIFEST_ATTRIBUTES = {"Created-By", "Build-Jdk", "Build-Jdk-Spec"};

  /** Per feature ("line numbers", ...), classes that have it only in the old, or only in the new build. */
  private final Map<String, int[]> onlyIn = new TreeMap<>();
  private final Map<String, String> example = new TreeMap<>();

  /**
   * Notes the debug and parameter attributes of one class in both builds.
   *
   * @param sameCode the methods read without their code, whose code attributes it knows; or null
   */
  void compare(String className, ClassNode oldClass, ClassNode newClass, CodeMatch sameCode) {
    boolean locals = sameCode != null && sameCode.anyLocals();
    note(className, "line numbers (-g:lines)", hasLines(oldClass) || sameCode != null && sameCode.anyLines(true),
        hasLines(newClass) || sameCode != null && sameCode.anyLines(false));
    note(className, "local variable tables (-g:vars)", hasLocals(oldClass) || locals, hasLocals(newClass) || locals);
    note(className, "source file names (-g:source)", oldClass.sourceFile != null, newClass.sourceFile != null);
    note(className, "parameter names (-parameters)", hasParameters(oldClass), hasParameters(newClass));
  }

  private void note(String className, String feature, boolean inOld, boolean inNew) {
    if (inOld != inNew) {
      onlyIn.computeIfAbsent(feature, f -> new int[2])[inOld ? 0 : 1]++;
      example.putIfAbsent(feature, className);
    }
  }

  /** Adds the warnings for everything noted, and for the manifests and versions of the two sets. */
  void warn(ClassSet oldSet, ClassSet newSet, Findings findings) {
    onlyIn.forEach((feature, counts) -> {
      for (int side = 0; side < 2; side++) {
        if (counts[side] > 0) {
          findings.warn("", "", feature + " present in the " + (side == 0 ? "old" : "new") + " build only, in "
              + counts[side] + " class(es), e.g. " + example.get(feature)
              + ": the builds were compiled with different options; such differences are left out of the patch");
        }
      }
    });
    int oldMajor = oldSet.buildInfo().majorVersion();
    int newMajor = newSet.buildInfo().majorVersion();
    if (oldMajor != 0 && newMajor != 0 && oldMajor != newMajor) {
      findings.warn("", "", "highest class-file major version differs: " + MemberText.majorVersion(oldMajor)
          + " in the old build, " + MemberText.majorVersion(newMajor) + " in the new one");
    }
    Manifest oldManifest = oldSet.manifest().orElse(null);
    Manifest newManifest = newSet.manifest().orElse(null);
    if (oldManifest == null && newManifest == null) {
      return;
    }
    for (String attribute : MANIFEST_ATTRIBUTES) {
      String oldValue = attribute(oldManifest, attribute);
      String newValue = attribute(newManifest, attribute);
      if (!Objects.equals(oldValue, newValue)) {
        findings.warn("", "", "manifest " + attribute + " differs: " + shown(oldValue) + " in the old build, "
            + shown(newValue) + " in the new one: a different compiler can change code that the source did not");
      }
    }
  }

  private static String attribute(Manifest manifest, String name) {
    if (manifest == null) {
      return null;
    }
    String value = manifest.getMainAttributes().getValue(name);
    return value == null ? null : value.trim();
  }

  private static String shown(String value) {
    return value == null ? "absent" : "'" + value + "'";
  }

  private static boolean hasLines(ClassNode node) {
    for (MethodNode method : node.methods) {
      for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
        if (insn instanceof LineNumberNode) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean hasLocals(ClassNode node) {
    return node.methods.stream().anyMatch(m -> m.localVariables != null && !m.localVariables.isEmpty());
  }

  private static boolean hasParameters(ClassNode node) {
    return node.methods.stream().map(m -> m.parameters).anyMatch(p -> p != null && !p.isEmpty());
  }
}
