package org.jlivepatch.core.review;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jlivepatch.core.diff.ChangedMethod;
import org.jlivepatch.core.diff.DiffResult;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.AddedClass;
import org.jlivepatch.core.model.BuildInfo;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.Guard;
import org.jlivepatch.core.model.HookClass;
import org.jlivepatch.core.model.Ignored;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.model.Refusal;
import org.jlivepatch.core.model.Renamed;
import org.jlivepatch.core.model.Warning;

/**
 * What a reviewer needs to judge a patch, or a difference that may become one: the summary, every
 * refusal, warning, ignored difference and renaming, the shadow fields, added classes and guards,
 * and each changed method's disassembly before and after. Built from a {@link Patch} (a payload's content) or a {@link DiffResult} (two class
 * sets compared); rendered by {@link Reviewer}.
 *
 * <p>Besides the warnings found while building, a review adds its own: a changed constructor or
 * static initializer (the new code never runs for what already exists), and any disagreement
 * between the class bytes and what the patch says about them (a method whose bytes change but is
 * not listed, a fingerprint that does not match the bytes), so that what is reviewed is exactly
 * what would be switched in.
 *
 * @param id the patch id; empty for a difference not yet built into a patch
 * @param description the patch description, may be empty
 * @param depends the patch this one is built on, if any
 * @param oldBuild how the classes the patch is built against were compiled
 * @param newBuild how the fixed classes were compiled
 * @param minJavaVersion the lowest Java feature version that can load the patched classes; empty
 *     for a difference
 * @param changed the changed methods in patch order, then any method whose bytes differ without
 *     being listed
 * @param refused differences a patch cannot deliver
 * @param warnings the build's warnings, then the review's own
 * @param ignored differences left out, with the reason
 * @param renamed synthetic members and classes matched by content across a renumbering
 * @param hooks the hook classes the patch carries
 * @param shadowFields the fields the fix adds to existing classes, by class
 * @param addedClasses the classes the fix adds, with the class whose loader and package define each
 * @param guards the methods outside the patch no thread may be in when it switches, with the reason
 */
public record Review(
    Optional<String> id,
    String description,
    Optional<String> depends,
    BuildInfo oldBuild,
    BuildInfo newBuild,
    Optional<Integer> minJavaVersion,
    List<MethodReview> changed,
    List<Refusal> refused,
    List<Warning> warnings,
    List<Ignored> ignored,
    List<Renamed> renamed,
    List<HookClass> hooks,
    List<ShadowFieldReview> shadowFields,
    List<AddedClass> addedClasses,
    List<Guard> guards) {

  public Review {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(depends, "depends");
    Objects.requireNonNull(oldBuild, "oldBuild");
    Objects.requireNonNull(newBuild, "newBuild");
    Objects.requireNonNull(minJavaVersion, "minJavaVersion");
    changed = List.copyOf(changed);
    refused = List.copyOf(refused);
    warnings = List.copyOf(warnings);
    ignored = List.copyOf(ignored);
    renamed = List.copyOf(renamed);
    hooks = List.copyOf(hooks);
    shadowFields = List.copyOf(shadowFields);
    addedClasses = List.copyOf(addedClasses);
    guards = List.copyOf(guards);
  }

  /** A review of a patch that adds nothing and has no guards. */
  public Review(Optional<String> id, String description, Optional<String> depends, BuildInfo oldBuild,
      BuildInfo newBuild, Optional<Integer> minJavaVersion, List<MethodReview> changed, List<Refusal> refused,
      List<Warning> warnings, List<Ignored> ignored, List<Renamed> renamed, List<HookClass> hooks) {
    this(id, description, depends, oldBuild, newBuild, minJavaVersion, changed, refused, warnings, ignored, renamed,
        hooks, List.of(), List.of(), List.of());
  }

  /** Reviews a patch: each patched method's base bytes against its new bytes. */
  public static Review of(Patch patch) {
    List<ChangedMethod> changed = new ArrayList<>();
    for (PatchedClass patchedClass : patch.classes()) {
      for (PatchedMethod method : patchedClass.methods()) {
        changed.add(new ChangedMethod(patchedClass.name(), method.name(), method.descriptor(), method.kind()));
      }
    }
    List<Warning> warnings = new ArrayList<>(patch.warnings());
    List<MethodReview> methods = reviewMethods(changed, patch.classes(), warnings);
    return new Review(Optional.of(patch.id()), patch.description(), patch.depends(), patch.oldBuild(),
        patch.newBuild(), Optional.of(patch.minJavaVersion()), methods, List.of(), warnings, patch.ignored(),
        patch.renamed(), patch.hooks(), shadowFields(patch.classes()), patch.addedClasses(), patch.guards());
  }

  /**
   * Reviews a difference between two class sets, refusals included; changed methods of classes
   * the result carries no bytes for are listed without disassembly.
   */
  public static Review of(DiffResult diff) {
    List<Warning> warnings = new ArrayList<>(diff.warnings());
    List<MethodReview> methods = reviewMethods(diff.changed(), diff.classes(), warnings);
    return new Review(Optional.empty(), "", Optional.empty(), diff.oldBuild(), diff.newBuild(), Optional.empty(),
        methods, diff.refused(), warnings, diff.ignored(), diff.renamed(), List.of(), shadowFields(diff.classes()),
        diff.addedClasses(), diff.guards());
  }

  private static List<ShadowFieldReview> shadowFields(List<PatchedClass> classes) {
    List<ShadowFieldReview> result = new ArrayList<>();
    classes.forEach(c -> c.shadowFields().forEach(f -> result.add(new ShadowFieldReview(c.name(), f))));
    return result;
  }

  /** The number of listed methods of this kind. */
  public long count(ChangeKind kind) {
    return changed.stream().filter(m -> m.kind().equals(Optional.of(kind))).count();
  }

  /** Whether a patch can be built from, or was built for, what is reviewed: nothing refused, something changed. */
  public boolean patchable() {
    return refused.isEmpty() && changed.stream().anyMatch(MethodReview::listed);
  }

  /** The changed methods the patch lists, without the unlisted ones the review found. */
  public List<MethodReview> listedChanges() {
    return changed.stream().filter(MethodReview::listed).toList();
  }

  /** The number of distinct classes among the listed changed methods. */
  public int changedClassCount() {
    return (int) listedChanges().stream().map(MethodReview::className).distinct().count();
  }

  private static List<MethodReview> reviewMethods(
      List<ChangedMethod> changed, List<PatchedClass> classes, List<Warning> warnings) {
    Map<String, ClassDisassembly> disassembled = new LinkedHashMap<>();
    for (PatchedClass patchedClass : classes) {
      disassembled.put(patchedClass.name(), ClassDisassembly.of(patchedClass, warnings));
    }

    List<MethodReview> result = new ArrayList<>();
    Set<String> listed = new LinkedHashSet<>();
    for (ChangedMethod method : changed) {
      String key = method.method() + method.descriptor();
      listed.add(method.className() + "." + key);
      ClassDisassembly classDisassembly = disassembled.get(method.className());
      if (classDisassembly == null || !classDisassembly.readable()) {
        result.add(new MethodReview(method.className(), method.method(), method.descriptor(),
            Optional.of(method.kind()), List.of(), List.of(), false));
      } else {
        result.add(classDisassembly.review(method.method(), method.descriptor(), Optional.of(method.kind())));
      }
      warnAboutInitializers(method, warnings);
    }
    for (PatchedClass patchedClass : classes) {
      checkFingerprints(patchedClass, warnings);
      ClassDisassembly classDisassembly = disassembled.get(patchedClass.name());
      if (classDisassembly.readable()) {
        for (String[] unlisted : classDisassembly.differingMethods(listed)) {
          warnings.add(new Warning(patchedClass.name(), "method " + unlisted[0] + unlisted[1],
              "its bytes differ between the base and new class files, but the patch does not list it as "
                  + "patched: applying the patch would switch in this change without checking what it replaces"));
          result.add(classDisassembly.review(unlisted[0], unlisted[1], Optional.empty()));
        }
      }
    }
    return result;
  }

  private static void warnAboutInitializers(ChangedMethod method, List<Warning> warnings) {
    String member = "method " + method.method() + method.descriptor();
    String message;
    if (method.method().equals("<init>")) {
      message = "constructor changed: the new body runs only for objects created after the patch is applied; "
          + "objects that already exist keep what the old constructor did (a postApply hook can fix them up)";
    } else if (method.method().equals("<clinit>")) {
      message = "static initializer changed: it already ran and will not run again; "
          + "a postApply hook must do what the new code would have done";
    } else {
      return;
    }
    boolean alreadyWarned = warnings.stream().anyMatch(w -> w.className().equals(method.className())
        && w.member().contains(method.method() + method.descriptor()));
    if (!alreadyWarned) {
      warnings.add(new Warning(method.className(), member, message));
    }
  }

  private static void checkFingerprints(PatchedClass patchedClass, List<Warning> warnings) {
    Map<String, String> base;
    Map<String, String> fixed;
    try {
      base = Fingerprints.ofClass(patchedClass.baseBytes());
      fixed = Fingerprints.ofClass(patchedClass.newBytes());
    } catch (IllegalArgumentException e) {
      return; // Reported once, by ClassDisassembly.
    }
    for (PatchedMethod method : patchedClass.methods()) {
      String member = "method " + method.key();
      if (method.kind() == ChangeKind.ADDED) {
        if (base.containsKey(method.key()) || !method.expectedFingerprint().isEmpty()) {
          warnings.add(new Warning(patchedClass.name(), member, "listed as added, but the base bytes have it or the "
              + "patch expects a fingerprint for it: the patch would not check what it replaces"));
        }
      } else if (!Objects.equals(base.get(method.key()), method.expectedFingerprint())) {
        warnings.add(new Warning(patchedClass.name(), member,
            "the expected fingerprint " + method.expectedFingerprint() + " is not that of the base bytes ("
                + base.getOrDefault(method.key(), "method absent")
                + "): the old disassembly shown is not what the patch checks for in the target"));
      }
      if (!Objects.equals(fixed.get(method.key()), method.newFingerprint())) {
        warnings.add(new Warning(patchedClass.name(), member,
            "the new fingerprint " + method.newFingerprint() + " is not that of the new bytes ("
                + fixed.getOrDefault(method.key(), "method absent")
                + "): the new disassembly shown is not what the patch records as applied"));
      }
    }
  }

  /** The disassembly of one patched class's base and new bytes, or why it could not be read. */
  private record ClassDisassembly(String className, Map<String, List<String>> base, Map<String, List<String>> fixed) {

    static ClassDisassembly of(PatchedClass patchedClass, List<Warning> warnings) {
      try {
        return new ClassDisassembly(patchedClass.name(),
            Disassembler.ofClass(patchedClass.baseBytes()), Disassembler.ofClass(patchedClass.newBytes()));
      } catch (IllegalArgumentException e) {
        warnings.add(new Warning(patchedClass.name(), "",
            "its class bytes cannot be read, so its methods cannot be reviewed: " + e.getMessage()));
        return new ClassDisassembly(patchedClass.name(), null, null);
      }
    }

    boolean readable() {
      return base != null;
    }

    MethodReview review(String name, String descriptor, Optional<ChangeKind> kind) {
      String key = name + descriptor;
      return new MethodReview(className, name, descriptor, kind,
          base.getOrDefault(key, List.of()), fixed.getOrDefault(key, List.of()), true);
    }

    /** Methods, as {name, descriptor}, whose disassembly differs but that are not in {@code listed}. */
    List<String[]> differingMethods(Set<String> listed) {
      Set<String> keys = new LinkedHashSet<>(base.keySet());
      keys.addAll(fixed.keySet());
      List<String[]> result = new ArrayList<>();
      for (String key : keys) {
        if (!listed.contains(className + "." + key) && !Objects.equals(base.get(key), fixed.get(key))) {
          int paren = key.indexOf('(');
          result.add(new String[] {key.substring(0, paren), key.substring(paren)});
        }
      }
      return result;
    }
  }
}
