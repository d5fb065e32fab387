package org.jlivepatch.agent.rt;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.jlivepatch.core.trampoline.Trampolines;

/**
 * One small bridge class per class loader and package that holds patched classes: the bootstrap
 * method every {@code invokedynamic} of a patch names, and the way to a full-privilege lookup on
 * a patched class. {@code privateLookupIn} alone does not give one when the target's module (every
 * class loader has its own unnamed module) is not the agent's; a class defined in the target's own
 * package with {@link MethodHandles.Lookup#defineClass} — which needs package access only, for any
 * class loader — creates its lookup itself.
 */
final class Bridges {

  private final Instrumentation instrumentation;
  /** Loader to package to bridge; the boot loader is not patched through trampolines. */
  private final Map<ClassLoader, Map<String, Class<?>>> bridges = new WeakHashMap<>();

  Bridges(Instrumentation instrumentation) {
    this.instrumentation = instrumentation;
  }

  /** The bridges of {@code loader} by package; callers hold this object's lock. */
  private Map<String, Class<?>> byPackage(ClassLoader loader) {
    Map<String, Class<?>> byPackage = bridges.get(loader);
    if (byPackage == null) {
      byPackage = new HashMap<>();
      bridges.put(loader, byPackage);
    }
    return byPackage;
  }

  /**
   * A lookup with full privilege on {@code type}, through the bridge of its package (defined on
   * first use, its linker set).
   *
   * @throws CommandException if the bridge cannot be defined, naming the class and why
   */
  synchronized MethodHandles.Lookup fullPrivilegeLookup(Class<?> type) throws CommandException {
    try {
      Class<?> bridge = bridgeFor(type);
      MethodHandles.Lookup bridgeAccess = MethodHandles.privateLookupIn(bridge, MethodHandles.lookup());
      MethodHandle lookup = bridgeAccess.findStatic(bridge, "lookup", MethodType.methodType(MethodHandles.Lookup.class));
      MethodHandles.Lookup own = (MethodHandles.Lookup) lookup.invokeExact();
      MethodHandles.Lookup full = MethodHandles.privateLookupIn(type, own);
      if (!full.hasFullPrivilegeAccess()) {
        throw new IllegalStateException("the lookup on " + type.getName() + " through its bridge lacks full privilege");
      }
      return full;
    } catch (CommandException e) {
      throw e;
    } catch (Throwable e) {
      throw CommandException.failed("trampoline", "cannot reach " + type.getName() + " in loader "
          + Loaders.describe(type.getClassLoader()) + " with full privilege: " + e + "; nothing changed");
    }
  }

  /** Defines the bridge of {@code type}'s loader and package, if not yet, and returns it. */
  synchronized Class<?> bridgeFor(Class<?> type) throws CommandException {
    ClassLoader loader = type.getClassLoader();
    if (loader == null) {
      throw CommandException.refused("trampoline", "class " + type.getName() + " is loaded by the boot class loader;"
          + " jlivepatch patches boot classes in place only (use --consistency immediate with a body-only patch)");
    }
    String packageInternal = type.getPackageName().replace('.', '/');
    Map<String, Class<?>> byPackage = byPackage(loader);
    Class<?> bridge = byPackage.get(packageInternal);
    if (bridge != null) {
      return bridge;
    }
    try {
      openToAgent(type);
      MethodHandles.Lookup access = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
      try {
        bridge = access.defineClass(Trampolines.bridge(packageInternal));
      } catch (LinkageError alreadyDefined) {
        // Defined by an earlier agent instance in this loader (a duplicate definition): use it.
        bridge = Class.forName(Trampolines.bridgeName(packageInternal).replace('/', '.'), true, loader);
      }
      setLinkers(bridge);
    } catch (Throwable e) {
      throw CommandException.failed("trampoline", "cannot define the jlivepatch bridge in package "
          + type.getPackageName() + " of loader " + Loaders.describe(loader) + ": " + e + "; nothing changed");
    }
    byPackage.put(packageInternal, bridge);
    return bridge;
  }

  /**
   * Defines the bridge of {@code packageInternal} in {@code loader} while one of its classes is
   * being loaded, when no class of the package may exist yet to give package access: through
   * {@code ClassLoader.defineClass}, which the agent opens for itself.
   *
   * @throws IllegalStateException naming the loader and package if it cannot
   */
  synchronized void defineAtLoad(ClassLoader loader, String packageInternal, java.security.ProtectionDomain domain) {
    if (loader == null) {
      throw new IllegalStateException("the boot class loader gets no jlivepatch bridge");
    }
    Map<String, Class<?>> byPackage = byPackage(loader);
    if (byPackage.containsKey(packageInternal)) {
      return;
    }
    String name = Trampolines.bridgeName(packageInternal).replace('/', '.');
    try {
      Module base = Object.class.getModule();
      Module agent = Bridges.class.getModule();
      if (!base.isOpen("java.lang", agent)) {
        instrumentation.redefineModule(base, Set.of(), Map.of(), Map.of("java.lang", Set.of(agent)), Set.of(), Map.of());
      }
      java.lang.reflect.Method define = ClassLoader.class.getDeclaredMethod("defineClass", String.class, byte[].class,
          int.class, int.class, java.security.ProtectionDomain.class);
      define.setAccessible(true);
      byte[] bytes = Trampolines.bridge(packageInternal);
      Class<?> bridge;
      try {
        bridge = (Class<?>) define.invoke(loader, name, bytes, 0, bytes.length, domain);
      } catch (java.lang.reflect.InvocationTargetException e) {
        if (!(e.getCause() instanceof LinkageError)) {
          throw e;
        }
        bridge = Class.forName(name, false, loader);
      }
      setLinkers(bridge);
      byPackage.put(packageInternal, bridge);
    } catch (Throwable e) {
      throw new IllegalStateException("cannot define the jlivepatch bridge " + name + " in loader "
          + Loaders.describe(loader) + ": " + e, e);
    }
  }

  /** Points the bridge's bootstrap methods at the agent. */
  private static void setLinkers(Class<?> bridge) throws Throwable {
    MethodHandles.Lookup access = MethodHandles.privateLookupIn(bridge, MethodHandles.lookup());
    access.findStaticSetter(bridge, Trampolines.LINKER_FIELD, MethodHandle.class).invokeExact(Linker.LINK);
    access.findStaticSetter(bridge, Trampolines.LAMBDA_LINKER_FIELD, MethodHandle.class).invokeExact(Linker.LAMBDA);
  }

  /** Opens the package of {@code type} to the agent when its module is a named one that does not. */
  private void openToAgent(Class<?> type) {
    Module module = type.getModule();
    Module agent = Bridges.class.getModule();
    String pkg = type.getPackageName();
    if (!module.isOpen(pkg, agent)) {
      instrumentation.redefineModule(module, Set.of(), Map.of(), Map.of(pkg, Set.of(agent)), Set.of(), Map.of());
    }
  }
}
