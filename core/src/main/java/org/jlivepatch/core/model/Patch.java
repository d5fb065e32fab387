package org.jlivepatch.core.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A live patch: the content of one payload file.
 *
 * @param id the patch id, unique within a patch stack
 * @param description free text for humans, may be empty
 * @param depends the id of the patch this one was built on top of; empty for a patch against
 *     unpatched classes
 * @param toolVersion the jlivepatch version that built the patch
 * @param oldBuild how the classes the patch was built against were compiled
 * @param newBuild how the fixed classes were compiled
 * @param minJavaVersion the lowest Java feature version that can load the patched classes
 * @param classes the patched classes, never empty
 * @param hooks classes run in the target around apply and revert
 * @param warnings what a reviewer must know, found while building
 * @param ignored differences left out of the patch, with the reason
 * @param renamed synthetic members and classes matched by content across a renumbering
 * @param addedClasses classes the fix adds, defined in the loader and package of their host
 * @param guards methods outside the patch that no thread may be in when it switches to the patch
 */
public record Patch(
    String id,
    String description,
    Optional<String> depends,
    String toolVersion,
    BuildInfo oldBuild,
    BuildInfo newBuild,
    int minJavaVersion,
    List<PatchedClass> classes,
    List<HookClass> hooks,
    List<Warning> warnings,
    List<Ignored> ignored,
    List<Renamed> renamed,
    List<AddedClass> addedClasses,
    List<Guard> guards) {

  public Patch {
    PatchId.check(id);
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(depends, "depends");
    depends.ifPresent(PatchId::check);
    Objects.requireNonNull(toolVersion, "toolVersion");
    Objects.requireNonNull(oldBuild, "oldBuild");
    Objects.requireNonNull(newBuild, "newBuild");
    classes = List.copyOf(classes);
    hooks = List.copyOf(hooks);
    warnings = List.copyOf(warnings);
    ignored = List.copyOf(ignored);
    renamed = List.copyOf(renamed);
    addedClasses = List.copyOf(addedClasses);
    guards = List.copyOf(guards);
    if (classes.isEmpty()) {
      throw new IllegalArgumentException("patch " + id + " patches no class");
    }
  }

  /** A patch that adds no classes and names no guards. */
  public Patch(String id, String description, Optional<String> depends, String toolVersion, BuildInfo oldBuild,
      BuildInfo newBuild, int minJavaVersion, List<PatchedClass> classes, List<HookClass> hooks,
      List<Warning> warnings, List<Ignored> ignored, List<Renamed> renamed) {
    this(id, description, depends, toolVersion, oldBuild, newBuild, minJavaVersion, classes, hooks, warnings, ignored,
        renamed, List.of(), List.of());
  }

  /** Whether any class of the patch needs a trampoline, or the patch adds classes. */
  public boolean needsTrampolines() {
    if (!addedClasses.isEmpty()) {
      return true;
    }
    for (PatchedClass c : classes) {
      if (c.needsTrampoline()) {
        return true;
      }
    }
    return false;
  }

  /** Returns the patched class with this binary name, if the patch has it. */
  public Optional<PatchedClass> patchedClass(String binaryName) {
    for (PatchedClass c : classes) {
      if (c.name().equals(binaryName)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /** The number of patched methods over all classes. */
  public int methodCount() {
    int count = 0;
    for (PatchedClass c : classes) {
      count += c.methods().size();
    }
    return count;
  }
}
