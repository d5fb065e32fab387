package org.jlivepatch.agent.rt;

import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every shadow field's store, found by its owner class and field. A store lives as long as a
 * generation that links it is installed: a patch stacked on another, or a replace, reaches the same
 * values; once the last patch using a field is reverted, its values go (a store a hook created
 * before the switch is taken over by the switch's generation).
 */
final class ShadowStores {

  private static final ShadowStores INSTANCE = new ShadowStores();

  private final ClassValue<Map<String, WeakReference<ShadowStore>>> byOwner = new ClassValue<>() {
    @Override
    protected Map<String, WeakReference<ShadowStore>> computeValue(Class<?> type) {
      return new ConcurrentHashMap<>();
    }
  };

  static ShadowStores instance() {
    return INSTANCE;
  }

  /**
   * The store of field {@code name:descriptor} of {@code owner}, created when no live generation holds one.
   *
   * @throws ClassNotFoundException if the descriptor names a class the owner's loader cannot find
   */
  ShadowStore store(Class<?> owner, String name, String descriptor, boolean isStatic) throws ClassNotFoundException {
    Map<String, WeakReference<ShadowStore>> stores = byOwner.get(owner);
    String key = name + ":" + descriptor;
    synchronized (stores) {
      WeakReference<ShadowStore> ref = stores.get(key);
      ShadowStore store = ref == null ? null : ref.get();
      if (store == null || store.isDead()) {
        Class<?> type = fieldType(descriptor, owner.getClassLoader());
        store = new ShadowStore(owner.getName() + "." + key, type, isStatic);
        stores.put(key, new WeakReference<>(store));
      }
      return store;
    }
  }

  private static Class<?> fieldType(String descriptor, ClassLoader loader) throws ClassNotFoundException {
    try {
      return MethodType.fromMethodDescriptorString("()" + descriptor, loader).returnType();
    } catch (TypeNotPresentException e) {
      throw new ClassNotFoundException("shadow field type " + descriptor + " is not visible", e);
    }
  }
}
