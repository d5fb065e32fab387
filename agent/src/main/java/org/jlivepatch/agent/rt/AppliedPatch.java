package org.jlivepatch.agent.rt;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;

/**
 * A patch on the stack, or being applied: what it is, who applied it, and every class definition
 * it switched in. Created when an apply starts, so that classes loading during the apply are
 * recorded; {@link #committed} completes it when the apply succeeds.
 */
final class AppliedPatch {

  private final Patch patch;
  private final String signer;
  private final String contentHash;
  private final String user;
  private final List<InstalledClass> installed = new CopyOnWriteArrayList<>();
  private volatile Instant appliedAt;
  private volatile PatchHooks hooks = PatchHooks.NONE;
  private final List<Generation> generations = new CopyOnWriteArrayList<>();

  AppliedPatch(Patch patch, String signer, String contentHash, String user) {
    this.patch = patch;
    this.signer = signer;
    this.contentHash = contentHash;
    this.user = user;
    this.appliedAt = Instant.now();
  }

  /** Completes an apply: the definitions switched in by the command, the hooks, the time. */
  void committed(List<InstalledClass> switched, PatchHooks boundHooks) {
    installed.addAll(switched);
    hooks = boundHooks;
    appliedAt = Instant.now();
  }

  Patch patch() {
    return patch;
  }

  String id() {
    return patch.id();
  }

  String signer() {
    return signer;
  }

  String contentHash() {
    return contentHash;
  }

  Instant appliedAt() {
    return appliedAt;
  }

  String user() {
    return user;
  }

  /** Keeps {@code generation} open while this patch is applied; {@link #closeGenerations} ends it. */
  void addGeneration(Generation generation) {
    generations.add(generation);
  }

  /** The generation for classes patched as they load, opened on first use. */
  synchronized Generation loadGeneration() {
    for (Generation generation : generations) {
      if (generation.label().startsWith("load ")) {
        return generation;
      }
    }
    Generation generation = Linker.instance().open("load " + id());
    generations.add(generation);
    return generation;
  }

  /** After a revert or replace: the patch's links are no longer installed anywhere. */
  void closeGenerations() {
    generations.forEach(Linker.instance()::close);
    generations.clear();
  }

  PatchHooks hooks() {
    return hooks;
  }

  /** The class definitions switched in so far, by command or as classes loaded. */
  List<InstalledClass> installed() {
    installed.removeIf(InstalledClass::unloaded);
    return List.copyOf(installed);
  }

  /** Records a definition switched in when its class loaded. */
  void addInstalled(InstalledClass installedClass) {
    installed.add(installedClass);
  }

  /** The definition this patch installed for {@code type}, if any. */
  Optional<InstalledClass> installedFor(Class<?> type) {
    for (InstalledClass i : installed) {
      if (i.is(type)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** Whether this patch switched in {@code name} in {@code loader}. */
  boolean hasInstalled(String name, ClassLoader loader) {
    for (InstalledClass i : installed) {
      if (i.name().equals(name) && i.isLoader(loader)) {
        return true;
      }
    }
    return false;
  }

  /** Whether this patch switched in {@code name} in any class loader. */
  boolean hasInstalled(String name) {
    for (InstalledClass i : installed) {
      if (i.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** Binary names of the patched classes switched in, in patch order, without repeats. */
  List<String> appliedNames() {
    Set<String> names = new LinkedHashSet<>();
    for (PatchedClass c : patch.classes()) {
      if (hasInstalled(c.name())) {
        names.add(c.name());
      }
    }
    return new ArrayList<>(names);
  }

  /** Binary names of the patched classes not loaded by any class loader yet. */
  List<String> pendingNames() {
    List<String> names = new ArrayList<>();
    for (PatchedClass c : patch.classes()) {
      if (!hasInstalled(c.name())) {
        names.add(c.name());
      }
    }
    return names;
  }
}
