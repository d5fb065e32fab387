package org.jlivepatch.agent.rt;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The links of one switch of classes (an apply, revert or replace): the hidden classes that hold
 * new bodies, per patched class definition; the gates of a per-thread transition; the shadow
 * stores the new code reaches. Closing it lets its hidden classes be collected once the classes
 * that linked them are redefined.
 */
final class Generation {

  /** Decides per call whether a gated method runs the new code. */
  interface Gates {
    /** A {@code ()Z} handle for method {@code methodKey} ({@code name+descriptor}) of {@code type}. */
    MethodHandle gate(Class<?> type, String methodKey);
  }

  private final String id;
  private final String label;
  /**
   * Per patched class, the lookup on its hidden class. A class value, not a map: a hidden class's
   * nest host is the patched class, so a map's value would keep its key, and the class loaders of a
   * patched web application, alive.
   */
  private final ClassValue<AtomicReference<MethodHandles.Lookup>> hidden = new ClassValue<>() {
    @Override
    protected AtomicReference<MethodHandles.Lookup> computeValue(Class<?> type) {
      return new AtomicReference<>();
    }
  };
  private final Map<String, byte[]> lazyHidden = new HashMap<>();
  private final List<ShadowStore> shadows = new ArrayList<>();
  private volatile Gates gates;

  Generation(String id, String label) {
    this.id = id;
    this.label = label;
  }

  /** The key prefix of this generation's links. */
  String id() {
    return id;
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

  /** Links call sites of {@code alias} (the lambda host of {@code type}) to {@code type}'s hidden class. */
  synchronized void alias(Class<?> alias, Class<?> type) {
    hidden.get(alias).set(hidden.get(type).get());
  }

  /**
   * Registers the hidden class bytes for a class that is not defined yet (patched as it loads): the
   * first link from that class defines it through the linking class's own lookup.
   */
  synchronized void defineHiddenLater(ClassLoader loader, String internalName, byte[] bytes) {
    lazyHidden.put(lazyKey(loader, internalName), bytes);
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
    MethodHandles.Lookup lookup;
    synchronized (this) {
      lookup = hidden.get(type0).get();
      if (lookup == null) {
        byte[] bytes = lazyHidden.remove(lazyKey(type0.getClassLoader(), type0.getName().replace('.', '/')));
        if (bytes == null) {
          throw new IllegalStateException("no jlivepatch hidden class for " + type0.getName() + " in generation " + id);
        }
        lookup = caller.defineHiddenClass(bytes, true, MethodHandles.Lookup.ClassOption.NESTMATE);
        hidden.get(type0).set(lookup);
      }
    }
    MethodType target = MethodType.fromMethodDescriptorString(key[3], type0.getClassLoader());
    return lookup.findStatic(lookup.lookupClass(), key[2], target);
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
