package org.jlivepatch.agent.rt;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jlivepatch.api.PatchContext;
import org.jlivepatch.api.PatchHook;
import org.jlivepatch.api.PatchVetoException;
import org.jlivepatch.api.Shadow;
import org.jlivepatch.core.model.ShadowField;
import org.jlivepatch.core.model.HookClass;
import org.jlivepatch.core.model.Patch;

/**
 * Instantiates a payload's hook classes and runs them. Hook classes are defined in a fresh class
 * loader whose parent is the loader of the patched classes, one per such loader, so a hook sees
 * the application's classes as they are in that loader.
 *
 * <p>The only class of the agent that names api types: it links them, so it is reached only
 * through {@link PatchHooks}, after {@link ApiJar#install}.
 */
final class Hooks {

  /** One hook instance bound to the classes of one class loader. */
  record Bound(String className, PatchHook hook, PatchContext context) {}

  private Hooks() {}

  /** See {@link PatchHooks#bind}. */
  static List<Bound> bind(Patch patch, Map<ClassLoader, List<Class<?>>> classesByLoader, List<String> pending,
      Audit audit) throws CommandException {
    List<Bound> bound = new ArrayList<>();
    Map<ClassLoader, List<Class<?>>> groups = new LinkedHashMap<>(classesByLoader);
    if (groups.isEmpty()) {
      groups.put(ClassLoader.getSystemClassLoader(), List.of());
    }
    for (Map.Entry<ClassLoader, List<Class<?>>> group : groups.entrySet()) {
      HookLoader loader = new HookLoader(patch, group.getKey());
      Context context = new Context(patch, group.getValue(), pending, audit);
      for (HookClass hookClass : patch.hooks()) {
        if (hookClass.entryPoint()) {
          bound.add(new Bound(hookClass.name(), instantiate(loader, hookClass.name()), context));
        }
      }
    }
    return bound;
  }

  /** See {@link PatchHooks#run}. */
  static void run(List<Bound> hooks, PatchHooks.Phase phase) throws CommandException {
    for (Bound bound : hooks) {
      try {
        switch (phase) {
          case PRE_APPLY -> bound.hook().preApply(bound.context());
          case POST_APPLY -> bound.hook().postApply(bound.context());
          case PRE_REVERT -> bound.hook().preRevert(bound.context());
          case POST_REVERT -> bound.hook().postRevert(bound.context());
        }
      } catch (PatchVetoException veto) {
        throw CommandException.refused(phase.step, "vetoed by " + bound.className() + "." + phase.step + ": "
            + CommandException.oneLine(veto.getMessage()));
      } catch (Throwable t) {
        throw CommandException.failed(phase.step, "hook " + bound.className() + "." + phase.step + " threw "
            + t.getClass().getName() + ": " + CommandException.oneLine(t.getMessage()));
      }
    }
  }

  private static PatchHook instantiate(HookLoader loader, String name) throws CommandException {
    try {
      Class<?> type = Class.forName(name, false, loader);
      if (!PatchHook.class.isAssignableFrom(type)) {
        throw CommandException.refused("preApply", "hook class " + name + " does not implement "
            + PatchHook.class.getName());
      }
      return (PatchHook) type.getConstructor().newInstance();
    } catch (InvocationTargetException e) {
      throw CommandException.failed("preApply", "hook class " + name + " failed to construct: " + e.getCause());
    } catch (ReflectiveOperationException | LinkageError e) {
      throw CommandException.failed("preApply", "hook class " + name + " cannot be instantiated: " + e);
    }
  }

  /**
   * Defines the payload's hook classes and hands out the agent's own api classes; delegates
   * everything else to the patched classes' loader.
   */
  private static final class HookLoader extends ClassLoader {
    private static final String API_PACKAGE = PatchHook.class.getPackageName() + ".";

    private final Map<String, byte[]> classes = new HashMap<>();

    HookLoader(Patch patch, ClassLoader parent) {
      super("jlivepatch-hooks-" + patch.id(), parent);
      patch.hooks().forEach(h -> classes.put(h.name(), h.bytes()));
    }

    /**
     * The api classes are the ones this agent linked, whatever the parent would find: an
     * application that ships its own copy of the api (or a loader that does not delegate to the
     * bootstrap class loader) must not make a hook implement another {@code PatchHook}.
     */
    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith(API_PACKAGE)) {
        return Class.forName(name, false, PatchHook.class.getClassLoader());
      }
      return super.loadClass(name, resolve);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] bytes = classes.get(name);
      if (bytes == null) {
        throw new ClassNotFoundException(name);
      }
      return defineClass(name, bytes, 0, bytes.length);
    }
  }

  /** What one hook instance sees: the patched classes of its loader, and those loaded nowhere, at apply. */
  private static final class Context implements PatchContext {
    private final Patch patch;
    private final String patchId;
    private final List<Class<?>> classes;
    private final List<String> pending;
    private final Audit audit;
    /** The stores handed out, kept while the patch's hooks live so values set before the switch stay. */
    private final List<ShadowStore> shadows = new ArrayList<>();

    Context(Patch patch, List<Class<?>> classes, List<String> pending, Audit audit) {
      this.patch = patch;
      this.patchId = patch.id();
      this.classes = List.copyOf(classes);
      this.pending = List.copyOf(pending);
      this.audit = audit;
    }

    @Override
    public String patchId() {
      return patchId;
    }

    @Override
    public List<Class<?>> patchedClasses() {
      return classes;
    }

    @Override
    public Class<?> patchedClass(String binaryName) {
      return classes.stream().filter(c -> c.getName().equals(binaryName)).findFirst().orElse(null);
    }

    @Override
    public synchronized Shadow shadow(Class<?> owner, String field) {
      ShadowField declared = patch.patchedClass(owner.getName()).stream()
          .flatMap(c -> c.shadowFields().stream()).filter(f -> f.name().equals(field)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("patch " + patchId + " adds no field '" + field + "' to "
              + owner.getName()));
      ShadowStore store;
      try {
        store = ShadowStores.instance().store(owner, declared.name(), declared.descriptor(), declared.isStatic());
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException("shadow field " + owner.getName() + "." + declared.key() + ": " + e, e);
      }
      shadows.add(store);
      return new Shadow() {
        @Override
        public Object get(Object object) {
          return store.isStatic() ? store.getStatic() : store.get(object);
        }

        @Override
        public void set(Object object, Object value) {
          if (store.isStatic()) {
            store.setStatic(value);
          } else {
            store.set(object, value);
          }
        }
      };
    }

    @Override
    public List<String> pendingClasses() {
      return pending;
    }

    @Override
    public void log(String message) {
      audit.hookLog(patchId, CommandException.oneLine(message));
    }
  }
}
