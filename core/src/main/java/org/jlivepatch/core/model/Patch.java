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
    List<Renamed> renamed) {

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
    if (classes.isEmpty()) {
      throw new IllegalArgumentException("patch " + id + " patches no class");
    }
  }

  /** Returns the patched class with this binary name, if the patch has it. */
  public Optional<PatchedClass> patchedClass(String binaryName) {
    return classes.stream().filter(c -> c.name().equals(binaryName)).findFirst();
  }

  /** The number of patched methods over all classes. */
  public int methodCount() {
    return classes.stream().mapToInt(c -> c.methods().size()).sum();
  }
}
