package org.jlivepatch.core.diff;

import java.util.List;
import java.util.Optional;
import org.jlivepatch.core.Version;
import org.jlivepatch.core.model.AddedClass;
import org.jlivepatch.core.model.BuildInfo;
import org.jlivepatch.core.model.Guard;
import org.jlivepatch.core.model.HookClass;
import org.jlivepatch.core.model.Ignored;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.Refusal;
import org.jlivepatch.core.model.Renamed;
import org.jlivepatch.core.model.Warning;

/**
 * Everything the differ found between two class sets, classified.
 *
 * @param changed methods the patch changes, in class then class-file order
 * @param ignored differences left out, with the reason
 * @param refused differences a patch cannot deliver; a patch is only built when this is empty
 * @param warnings what a reviewer must know
 * @param renamed synthetic members and classes matched by content across a renumbering
 * @param classes the patched classes, ready for a payload
 * @param addedClasses the classes the fix adds, in the order they are to be defined
 * @param guards methods outside the patch that no thread may be in when it switches: those that
 *     call two or more patched methods (looked for only when nothing is refused), and those the
 *     patch author named
 * @param oldBuild how the old classes were compiled
 * @param newBuild how the new classes were compiled
 */
public record DiffResult(
    List<ChangedMethod> changed,
    List<Ignored> ignored,
    List<Refusal> refused,
    List<Warning> warnings,
    List<Renamed> renamed,
    List<PatchedClass> classes,
    List<AddedClass> addedClasses,
    List<Guard> guards,
    BuildInfo oldBuild,
    BuildInfo newBuild) {

  public DiffResult {
    changed = List.copyOf(changed);
    ignored = List.copyOf(ignored);
    refused = List.copyOf(refused);
    warnings = List.copyOf(warnings);
    renamed = List.copyOf(renamed);
    classes = List.copyOf(classes);
    addedClasses = List.copyOf(addedClasses);
    guards = List.copyOf(guards);
  }

  /** A result that adds no classes and has no guards. */
  public DiffResult(List<ChangedMethod> changed, List<Ignored> ignored, List<Refusal> refused, List<Warning> warnings,
      List<Renamed> renamed, List<PatchedClass> classes, BuildInfo oldBuild, BuildInfo newBuild) {
    this(changed, ignored, refused, warnings, renamed, classes, List.of(), List.of(), oldBuild, newBuild);
  }

  /** Whether a patch can be built: nothing refused and something changed. */
  public boolean patchable() {
    return refused.isEmpty() && !classes.isEmpty();
  }

  /**
   * Returns the patch for this difference.
   *
   * @throws IllegalStateException if something was refused or nothing changed
   */
  public Patch toPatch(String id, String description, Optional<String> depends, List<HookClass> hooks) {
    if (!refused.isEmpty()) {
      throw new IllegalStateException(refused.size() + " difference(s) refused; no patch can be built");
    }
    if (classes.isEmpty()) {
      throw new IllegalStateException("no method changed; there is nothing to patch");
    }
    int minJava = Math.max(8, newBuild.majorVersion() - 44);
    return new Patch(id, description, depends, Version.current(), oldBuild, newBuild, minJava,
        classes, hooks, warnings, ignored, renamed, addedClasses, guards);
  }
}
