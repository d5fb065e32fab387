package org.jlivepatch.agent.rt;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jlivepatch.core.model.AddedClass;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.trampoline.ClassChange;
import org.jlivepatch.core.trampoline.HiddenClass;
import org.jlivepatch.core.trampoline.NotMovableException;
import org.jlivepatch.core.trampoline.Trampolines;
import org.jlivepatch.core.splice.ClassSplicer;

/**
 * Applies the patches of the stack's load view to their classes as the classes load: the pending
 * half of an apply, classes that load while an apply runs, and all of startup mode. A class that
 * does not match a patch's expectations loads unpatched, and the refusal is audited. Never throws
 * into the class loading it runs in, and never waits: it may run on any thread, holding class
 * loading locks.
 *
 * <p>Registered as not retransformation-capable, so the patched bytes become the class's own:
 * a later capture of its running bytes sees them.
 */
final class LoadTimePatcher implements ClassFileTransformer {

  private final PatchStack stack;
  private final Audit audit;
  private final Bridges bridges;

  LoadTimePatcher(PatchStack stack, Audit audit, Bridges bridges) {
    this.stack = stack;
    this.audit = audit;
    this.bridges = bridges;
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain, byte[] classfileBuffer) {
    if (classBeingRedefined != null || className == null) {
      return null;
    }
    if (!stack.loadView().changes(className)) {
      return null;
    }
    String name = className.replace('/', '.');
    PatchStack.LoadView view = stack.enterLoadView();
    try {
      return patch(view.patches(), loader, name, classfileBuffer, protectionDomain);
    } catch (Throwable t) {
      audit.recordFromClassLoad(System.getProperty("user.name", ""), "load", "", CommandException.FAILURE,
          "class " + name + " in loader " + Loaders.describe(loader) + " loaded unpatched: " + t);
      return null;
    } finally {
      view.exit();
    }
  }

  private byte[] patch(List<AppliedPatch> patches, ClassLoader loader, String name, byte[] loaded,
      ProtectionDomain domain) {
    byte[] current = loaded;
    byte[] currentLogical = loaded;
    List<Runnable> records = new ArrayList<>();
    for (AppliedPatch applied : patches) {
      Optional<PatchedClass> patchedClass = applied.patch().patchedClass(name);
      if (patchedClass.isEmpty() || applied.hasInstalled(name, loader)) {
        continue;
      }
      Optional<String> mismatch = Expectations.firstMismatch(currentLogical, patchedClass.get(), loader);
      if (mismatch.isPresent()) {
        String message = mismatch.get() + "; the class loads without this patch and the ones above it";
        audit.recordFromClassLoad(applied.user(), "load", applied.id(), CommandException.REFUSED, message);
        break;
      }
      byte[] before = current;
      byte[] beforeLogical = currentLogical;
      byte[] logical;
      byte[] after;
      List<AddedClass> addedHere = addedClassesOfPackage(applied, name);
      if (patchedClass.get().needsTrampoline() || !addedHere.isEmpty()) {
        logical = logical(currentLogical, patchedClass.get());
        after = trampolined(applied, loader, name, domain, current, logical, addedHere);
      } else {
        after = ClassSplicer.splice(current, patchedClass.get().newBytes(), Expectations.keys(patchedClass.get()));
        logical = currentLogical == current ? after
            : ClassSplicer.splice(currentLogical, patchedClass.get().newBytes(), Expectations.keys(patchedClass.get()));
      }
      records.add(() -> {
        applied.addInstalled(new InstalledClass(name, loader, before, after, beforeLogical, logical));
        audit.recordFromClassLoad(applied.user(), "load", applied.id(), 0,
            "patched " + name + " in loader " + Loaders.describe(loader) + " as it loaded");
      });
      current = after;
      currentLogical = logical;
    }
    records.forEach(Runnable::run);
    return current == loaded ? null : current;
  }

  private static byte[] logical(byte[] running, PatchedClass patchedClass) {
    List<String> changed = new ArrayList<>();
    List<String> added = new ArrayList<>();
    for (PatchedMethod method : patchedClass.methods()) {
      (method.kind() == ChangeKind.ADDED ? added : changed).add(method.key());
    }
    return Trampolines.logical(running, patchedClass.newBytes(), changed, added, patchedClass.shadowFields());
  }

  /** The classes {@code applied} adds to the package of class {@code name}, in the patch's order. */
  private static List<AddedClass> addedClassesOfPackage(AppliedPatch applied, String name) {
    String pkg = packageOf(name);
    return applied.patch().addedClasses().stream().filter(added -> packageOf(added.name()).equals(pkg)).toList();
  }

  private static String packageOf(String binaryName) {
    int dot = binaryName.lastIndexOf('.');
    return dot < 0 ? "" : binaryName.substring(0, dot);
  }

  /**
   * The steady form of {@code logical} for a class being defined. Nothing is defined from within
   * the class's loading but the bridge of its package: its hidden class depends on superclasses not
   * loaded yet, and the classes the patch adds to its package may depend on the class itself. So
   * every new body that names an added class runs from the hidden class too, and the first call
   * into it, through the class's own lookup, defines the added classes, then the hidden class.
   */
  private byte[] trampolined(AppliedPatch applied, ClassLoader loader, String name, ProtectionDomain domain,
      byte[] current, byte[] logical, List<AddedClass> addedHere) {
    Set<String> shadowFields = new LinkedHashSet<>();
    for (PatchedClass patched : applied.patch().classes()) {
      patched.shadowFields().forEach(f -> shadowFields.add(patched.internalName() + "." + f.key()));
    }
    ClassChange change = Trampolines.compare(current, logical);
    Set<String> redirected = new LinkedHashSet<>(Trampolines.needsRedirect(logical, change, shadowFields));
    redirected.addAll(Trampolines.naming(logical, change.changed(),
        addedHere.stream().map(added -> added.name().replace('.', '/')).toList()));
    Generation generation = applied.loadGeneration();
    String internalName = name.replace('.', '/');
    HiddenClass hidden = null;
    if (!redirected.isEmpty()) {
      int slash = internalName.lastIndexOf('/');
      bridges.defineAtLoad(loader, slash < 0 ? "" : internalName.substring(0, slash), domain);
      try {
        // Built now to refuse, as the class loads, what cannot move; built again at the first call,
        // with the protected members of the superclasses as they were defined.
        hidden = Trampolines.hidden(logical, change, redirected, shadowFields, generation.id());
      } catch (NotMovableException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      String prefix = generation.id();
      Map<String, String> targets = hidden.redirects();
      generation.defineHiddenLater(loader, internalName, new Generation.Lazy(addedHere, type -> {
        HiddenClass built = Trampolines.hidden(logical, change, redirected, shadowFields, Set.of(),
            HostOnlyMembers.of(type), prefix);
        if (!built.redirects().equals(targets)) {
          // The class's redirects were written for the first build; the same inputs give the same names.
          throw new IllegalStateException("the hidden class of " + name + " built at its first call holds "
              + built.redirects() + ", not " + targets);
        }
        return built;
      }));
    }
    return Trampolines.steady(current, logical, change, redirected, hidden, generation.slot());
  }
}
