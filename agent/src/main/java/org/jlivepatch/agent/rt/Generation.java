package org.jlivepatch.agent.rt;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jlivepatch.core.model.AddedClass;
import org.jlivepatch.core.trampoline.HiddenClass;
import org.jlivepatch.core.trampoline.NotMovableException;

/**
 * The links of one switch of classes (an apply, revert or replace): the hidden classes that hold
 * new bodies, per patched class definition; the gates of a per-thread transition; the shadow
 * stores the new code reaches. Closing it lets its hidden classes be collected once the classes
 * that linked them are redefined.
 */
final class Generation {

  /**
   * What a class patched as it loads needs at its first link, made then from the class as defined:
   * its hidden class (which depends on its superclasses, loaded only after the class's bytes were
   * chosen), and the classes the patch adds to its package (which might extend the class itself,
   * so cannot be defined while it loads).
   *
   * @param addedClasses the patch's classes of the package, supertypes first
   * @param hidden builds the hidden class from the defined class
   */
  record Lazy(List<AddedClass> addedClasses, HiddenBuilder hidden) {}

  /** Builds a class's hidden class once the class is defined. */
  interface HiddenBuilder {
    HiddenClass build(Class<?> type) throws NotMovableException;
  }

  /** Decides per call whether a gated method runs the new code. */
  interface Gates {
    /** A {@code ()Z} handle for method {@code methodKey} ({@code name+descriptor}) of {@code type}. */
    MethodHandle gate(Class<?> type, String methodKey);
  }

  private final String id;
  private final String slot;
  private final String label;
  /**
   * Per patched class, the lookup on its hidden class. A class value, not a map: a hidden class's
   * nest host is the patched class, so a map's value would keep its key, and the class loaders of a
   * patched web application, alive.
   */
  private final ClassValue<AtomicReference<MethodHandles.Lookup>> hidden = new ClassValue<>() {
    @Override
    protected AtomicReference<MethodHandles.Lookup> computeValue(Class<?> type) {
      synchronized (holders) {
        holders.add(new WeakReference<>(type));
      }
      return new AtomicReference<>();
    }
  };
  /** The classes whose class value map holds one of {@link #hidden}'s values, for {@link #forget}. */
  private final List<WeakReference<Class<?>>> holders = new ArrayList<>();
  private final Map<String, Lazy> lazyHidden = new HashMap<>();
  private final List<ShadowStore> shadows = new ArrayList<>();
  private volatile Gates gates;

  Generation(String id, String slot, String label) {
    this.id = id;
    this.slot = slot;
    this.label = label;
  }

  /**
   * Lets go of the hidden classes once nothing links this generation any more. A class value's
   * entry outlives the class value itself until its map happens to sweep stale entries, and the
   * entry's value holds the hidden class: so the entries are removed here, not left to that sweep.
   */
  void forget() {
    List<WeakReference<Class<?>>> classes;
    synchronized (holders) {
      classes = new ArrayList<>(holders);
      holders.clear();
    }
    for (WeakReference<Class<?>> reference : classes) {
      Class<?> type = reference.get();
      if (type != null) {
        hidden.remove(type);
      }
    }
    synchronized (this) {
      lazyHidden.clear();
    }
  }

  /** The key prefix of this generation's links in its hidden classes: never used again. */
  String id() {
    return id;
  }

  /** The key prefix of this generation's links in patched classes: reused once it is closed. */
  String slot() {
    return slot;
  }

  String label() {
    return label;
  }

  /**
   * Defines the hidden class for {@code type} now, through {@code fullPrivilege} (a lookup on
   * {@code type} with full privilege), so that errors surface before any code runs it.
   */
  synchronized Class<?> defineHidden(Class<?> type, MethodHandles.Lookup fullPrivilege, byte[] bytes)
      throws IllegalAccessException {
    MethodHandles.Lookup existing = hidden.get(type).get();
    if (existing != null) {
      return existing.lookupClass();
    }
    MethodHandles.Lookup lookup = fullPrivilege.defineHiddenClass(bytes, true, MethodHandles.Lookup.ClassOption.NESTMATE);
    hidden.get(type).set(lookup);
    return lookup.lookupClass();
  }

  /**
   * Registers what a class that is not defined yet (patched as it loads) needs: the first link from
   * that class defines the added classes, then its hidden class, through the
   * linking class's own lookup.
   */
  synchronized void defineHiddenLater(ClassLoader loader, String internalName, Lazy lazy) {
    lazyHidden.put(lazyKey(loader, internalName), lazy);
  }

  void setGates(Gates gates) {
    this.gates = gates;
  }

  /** Lets go of the shadow stores: once no installed generation holds a store, its values go. */
  synchronized void releaseShadows() {
    shadows.forEach(ShadowStore::release);
    shadows.clear();
  }

  /** Keeps {@code store} reachable while this generation is installed. */
  synchronized void retain(ShadowStore store) {
    if (!shadows.contains(store)) {
      shadows.add(store);
      store.acquire();
    }
  }

  MethodHandle redirect(MethodHandles.Lookup caller, String[] key, MethodType type) throws Throwable {
    if (key.length != 4) {
      throw new IllegalArgumentException("malformed redirect key " + String.join("|", key));
    }
    Class<?> type0 = caller.lookupClass();
    MethodHandles.Lookup lookup = hidden.get(type0).get();
    if (lookup == null) {
      String lazyKey = lazyKey(type0.getClassLoader(), type0.getName().replace('.', '/'));
      Lazy lazy;
      synchronized (this) {
        lazy = lazyHidden.get(lazyKey);
      }
      if (lazy != null) {
        // Not under this generation's monitor: defining classes loads others, and a class that
        // loads meanwhile registers its own lazy definitions here from within its loading lock.
        synchronized (lazy) {
          lookup = hidden.get(type0).get();
          if (lookup == null) {
            lookup = defineLazily(caller, lazy);
          }
        }
        synchronized (this) {
          lazyHidden.remove(lazyKey, lazy);
        }
      }
      lookup = hidden.get(type0).get();
      if (lookup == null) {
        throw new IllegalStateException("no jlivepatch hidden class for " + type0.getName() + " in generation " + id);
      }
    }
    MethodType target = MethodType.fromMethodDescriptorString(key[3], type0.getClassLoader());
    return lookup.findStatic(lookup.lookupClass(), key[2], target);
  }

  /** At the first link from a class patched as it loaded, with its own (full-privilege) lookup. */
  private MethodHandles.Lookup defineLazily(MethodHandles.Lookup caller, Lazy lazy) throws IllegalAccessException {
    Class<?> type = caller.lookupClass();
    for (AddedClass added : lazy.addedClasses()) {
      defineAdded(caller, added);
    }
    HiddenClass h;
    try {
      h = lazy.hidden().build(type);
    } catch (NotMovableException e) {
      // Only a method handle constant on a protected member of a superclass in another run-time
      // package is found this late (the superclasses were not loaded when the class's bytes were
      // chosen; the builder refuses those it can see); the rest was checked as the class loaded.
      throw new IllegalAccessError("jlivepatch: " + e.getMessage());
    }
    MethodHandles.Lookup lookup = caller.defineHiddenClass(h.bytes(), true, MethodHandles.Lookup.ClassOption.NESTMATE);
    hidden.get(type).set(lookup);
    return lookup;
  }

  /**
   * Defines a class the patch adds in the loader and package of {@code caller}'s class, unless it
   * is there already (a class cannot be undefined: an earlier apply, or another patched class of
   * the package, defined it).
   */
  private static void defineAdded(MethodHandles.Lookup caller, AddedClass added) throws IllegalAccessException {
    ClassLoader loader = caller.lookupClass().getClassLoader();
    try {
      Class.forName(added.name(), false, loader);
      return;
    } catch (ClassNotFoundException notYet) {
      // defined below
    }
    try {
      caller.defineClass(added.bytes());
    } catch (LinkageError e) {
      try {
        Class.forName(added.name(), false, loader);
      } catch (ClassNotFoundException stillMissing) {
        throw new NoClassDefFoundError("jlivepatch: cannot define added class " + added.name() + " in loader "
            + Loaders.describe(loader) + ": " + e);
      }
    }
  }

  MethodHandle gate(Class<?> type, String methodKey) {
    Gates current = gates;
    if (current == null) {
      throw new IllegalStateException("generation " + id + " has no transition for the gate of "
          + type.getName() + "." + methodKey);
    }
    return current.gate(type, methodKey);
  }

  MethodHandle shadowAccessor(MethodHandles.Lookup caller, String[] key, boolean put, MethodType type)
      throws ClassNotFoundException {
    if (key.length != 5) {
      throw new IllegalArgumentException("malformed shadow key " + String.join("|", key));
    }
    Class<?> owner = owner(caller.lookupClass(), key[2]);
    boolean isStatic = put ? type.parameterCount() == 1 : type.parameterCount() == 0;
    ShadowStore store = ShadowStores.instance().store(owner, key[3], key[4], isStatic);
    retain(store);
    return store.accessor(put, type);
  }

  /** Resolves a shadow field's owner as the linking class sees it. */
  private static Class<?> owner(Class<?> caller, String ownerInternal) throws ClassNotFoundException {
    String name = ownerInternal.replace('/', '.');
    Class<?> host = caller.getNestHost();
    if (host.getName().equals(name)) {
      return host;
    }
    if (caller.getName().equals(name)) {
      return caller;
    }
    return Class.forName(name, false, caller.getClassLoader());
  }

  private static String lazyKey(ClassLoader loader, String internalName) {
    return System.identityHashCode(loader) + "/" + internalName;
  }
}
