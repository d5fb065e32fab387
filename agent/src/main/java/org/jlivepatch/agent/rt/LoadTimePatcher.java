package org.jlivepatch.agent.rt;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jlivepatch.core.model.PatchedClass;
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

  LoadTimePatcher(PatchStack stack, Audit audit) {
    this.stack = stack;
    this.audit = audit;
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
      return patch(view.patches(), loader, name, classfileBuffer);
    } catch (Throwable t) {
      audit.recordFromClassLoad(System.getProperty("user.name", ""), "load", "", CommandException.FAILURE,
          "class " + name + " in loader " + Loaders.describe(loader) + " loaded unpatched: " + t);
      return null;
    } finally {
      view.exit();
    }
  }

  private byte[] patch(List<AppliedPatch> patches, ClassLoader loader, String name, byte[] loaded) {
    byte[] current = loaded;
    List<Runnable> records = new ArrayList<>();
    for (AppliedPatch applied : patches) {
      Optional<PatchedClass> patchedClass = applied.patch().patchedClass(name);
      if (patchedClass.isEmpty() || applied.hasInstalled(name, loader)) {
        continue;
      }
      Optional<String> mismatch = Expectations.firstMismatch(current, patchedClass.get(), loader);
      if (mismatch.isPresent()) {
        String message = mismatch.get() + "; the class loads without this patch and the ones above it";
        audit.recordFromClassLoad(applied.user(), "load", applied.id(), CommandException.REFUSED, message);
        break;
      }
      byte[] before = current;
      byte[] after = ClassSplicer.splice(current, patchedClass.get().newBytes(), Expectations.keys(patchedClass.get()));
      records.add(() -> {
        applied.addInstalled(new InstalledClass(name, loader, before, after));
        audit.recordFromClassLoad(applied.user(), "load", applied.id(), 0,
            "patched " + name + " in loader " + Loaders.describe(loader) + " as it loaded");
      });
      current = after;
    }
    records.forEach(Runnable::run);
    return current == loaded ? null : current;
  }
}
