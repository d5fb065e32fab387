package org.jlivepatch.agent.rt;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The patches applied in this JVM, bottom to top, and the {@link LoadView} the class-load patcher
 * works from. Readers see immutable snapshots; only commands, which run one at a time, change
 * them.
 *
 * <p>The load view is the stack, plus a patch being applied (registered before its classes are
 * resolved, so that a class defined meanwhile is patched as it loads), minus a patch being
 * reverted (from just before its classes are switched back). Taking a patch out of the view waits
 * until no transformer still works from the old view, so that the patch's record of the classes
 * patched as they loaded is complete. The transformer never waits: it enters a view without
 * blocking, and only the command thread waits, bounded.
 *
 * <p>The class-load patcher is registered with the JVM only while the load view holds a patch:
 * a registered transformer is called for every class that loads and every redefinition, by
 * anyone, and an empty view has nothing to patch.
 */
final class PatchStack {

  /** Registers or removes the class-load patcher. */
  interface LoadPatcherRegistration {
    /** Called with true before a non-empty view is in use, with false after an empty one replaced it. */
    void registered(boolean registered);
  }

  /** How long a command waits for transformers still working from a view it replaced. */
  private static final long QUIET_MILLIS = 5_000;

  /** The patches a class is patched with as it loads, bottom first, and how many transformers use them. */
  static final class LoadView {
    private final List<AppliedPatch> patches;
    /** Internal names, as the JVM hands them to transformers, so a class load allocates nothing to ask. */
    private final Set<String> internalNames;
    private final AtomicInteger users = new AtomicInteger();

    private LoadView(List<AppliedPatch> patches) {
      this.patches = List.copyOf(patches);
      Set<String> all = new HashSet<>();
      for (AppliedPatch p : patches) {
        for (org.jlivepatch.core.model.PatchedClass c : p.patch().classes()) {
          all.add(c.internalName());
        }
      }
      this.internalNames = Set.copyOf(all);
    }

    List<AppliedPatch> patches() {
      return patches;
    }

    /** Whether a patch in the view changes the class with this internal name ({@code com/example/Foo}). */
    boolean changes(String internalName) {
      return internalNames.contains(internalName);
    }

    /** Ends a transformer's use of this view, entered with {@link PatchStack#enterLoadView()}. */
    void exit() {
      users.decrementAndGet();
    }
  }

  private volatile List<AppliedPatch> entries = List.of();
  private volatile LoadView loadView = new LoadView(List.of());
  private final LoadPatcherRegistration registration;
  private boolean patcherRegistered;

  /** @param registration registers the class-load patcher while the load view holds a patch */
  PatchStack(LoadPatcherRegistration registration) {
    this.registration = registration;
  }

  /** The patches, bottom first. */
  List<AppliedPatch> entries() {
    return entries;
  }

  /** The current load view, for a quick look that records nothing. */
  LoadView loadView() {
    return loadView;
  }

  /** The current load view, counted as in use until {@link LoadView#exit()}. Never blocks. */
  LoadView enterLoadView() {
    while (true) {
      LoadView view = loadView;
      view.users.incrementAndGet();
      if (loadView == view) {
        return view;
      }
      view.users.decrementAndGet();
    }
  }

  Optional<AppliedPatch> top() {
    List<AppliedPatch> snapshot = entries;
    return snapshot.isEmpty() ? Optional.empty() : Optional.of(snapshot.get(snapshot.size() - 1));
  }

  /** Registers {@code patch} for patching at load on top of the stack, before it is applied. */
  synchronized void beginApply(AppliedPatch patch) {
    List<AppliedPatch> view = new ArrayList<>(entries);
    view.add(patch);
    setLoadView(view);
  }

  /** Puts the patch registered with {@link #beginApply} on the stack. */
  synchronized void commitApply(AppliedPatch patch) {
    List<AppliedPatch> next = new ArrayList<>(entries);
    next.add(patch);
    entries = List.copyOf(next);
  }

  /**
   * Withdraws the patch registered with {@link #beginApply}; its record of classes patched as they
   * loaded is complete when this returns true.
   */
  synchronized boolean abortApply() {
    return setLoadView(entries);
  }

  /**
   * Stops patching classes with the top patch as they load, ahead of its revert; its record of
   * classes patched as they loaded is complete when this returns true.
   */
  synchronized boolean beginRevert() {
    return setLoadView(entries.subList(0, entries.size() - 1));
  }

  /** Patches classes with the whole stack again, after a revert that did not happen. */
  synchronized void abortRevert() {
    setLoadView(entries);
  }

  /** Takes the top patch off the stack, after {@link #beginRevert}. */
  synchronized void pop() {
    List<AppliedPatch> next = new ArrayList<>(entries);
    next.remove(next.size() - 1);
    entries = List.copyOf(next);
    setLoadView(entries);
  }

  synchronized void replaceAll(AppliedPatch patch) {
    entries = List.of(patch);
    setLoadView(entries);
  }

  /** The patch ids bottom to top, comma-separated. */
  String ids() {
    StringBuilder ids = new StringBuilder();
    for (AppliedPatch entry : entries) {
      ids.append(ids.length() == 0 ? "" : ",").append(entry.id());
    }
    return ids.toString();
  }

  /**
   * Installs a new load view and waits, bounded, until no transformer uses the old one. The
   * class-load patcher is registered before a view with patches is installed, so a class defined
   * once this returns is patched as it loads, and removed once no transformer uses a view with patches.
   */
  private boolean setLoadView(List<AppliedPatch> patches) {
    if (!patches.isEmpty() && !patcherRegistered) {
      registration.registered(true);
      patcherRegistered = true;
    }
    LoadView old = loadView;
    loadView = new LoadView(patches);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
    while (old.users.get() > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.onSpinWait();
      Thread.yield();
    }
    if (patches.isEmpty() && patcherRegistered) {
      registration.registered(false);
      patcherRegistered = false;
    }
    return true;
  }
}
