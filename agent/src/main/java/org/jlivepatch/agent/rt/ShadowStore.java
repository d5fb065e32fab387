package org.jlivepatch.agent.rt;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The values of one shadow field: a field a patch adds to an existing class, which redefinition
 * cannot add to the objects themselves. Instance values are kept per object identity and weakly,
 * so the store never keeps an object alive; a static field has one value. An object that existed
 * before the patch reads the field's default value until code sets it.
 */
final class ShadowStore {

  private static final MethodHandle GET;
  private static final MethodHandle SET;
  private static final MethodHandle GET_STATIC;
  private static final MethodHandle SET_STATIC;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      GET = lookup.findVirtual(ShadowStore.class, "get", MethodType.methodType(Object.class, Object.class));
      SET = lookup.findVirtual(ShadowStore.class, "set", MethodType.methodType(void.class, Object.class, Object.class));
      GET_STATIC = lookup.findVirtual(ShadowStore.class, "getStatic", MethodType.methodType(Object.class));
      SET_STATIC = lookup.findVirtual(ShadowStore.class, "setStatic", MethodType.methodType(void.class, Object.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String description;
  private final Class<?> type;
  private final boolean isStatic;
  private final Object defaultValue;
  private final ConcurrentHashMap<IdentityKey, Object> values = new ConcurrentHashMap<>();
  private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
  private volatile Object staticValue;
  private int owners;
  private boolean dead;

  /**
   * @param description the field as {@code owner.name:descriptor}, for messages
   * @param type the field's type
   */
  ShadowStore(String description, Class<?> type, boolean isStatic) {
    this.description = description;
    this.type = type;
    this.isStatic = isStatic;
    this.defaultValue = type.isPrimitive() ? zero(type) : null;
    this.staticValue = defaultValue;
  }

  private static Object zero(Class<?> type) {
    try {
      return MethodHandles.zero(type).invoke();
    } catch (Throwable t) {
      throw new IllegalStateException("no default value for " + type, t);
    }
  }

  /** An installed generation links this store. */
  synchronized void acquire() {
    owners++;
  }

  /**
   * An installed generation no longer links it; when none does, the store is dead: its values go
   * with the patches that used them, even while replaced code still references it.
   */
  synchronized void release() {
    if (--owners <= 0) {
      dead = true;
    }
  }

  /** Whether every generation that linked this store was closed. */
  synchronized boolean isDead() {
    return dead;
  }

  String description() {
    return description;
  }

  boolean isStatic() {
    return isStatic;
  }

  /** The value of the field in {@code owner}, its default if never set. */
  Object get(Object owner) {
    expunge();
    if (owner == null) {
      throw new NullPointerException("cannot read shadow field " + description + " of null");
    }
    Object value = values.get(new IdentityKey(owner, null));
    return value == null ? defaultValue : value == NULL ? null : value;
  }

  /** Sets the field of {@code owner}. */
  void set(Object owner, Object value) {
    expunge();
    if (owner == null) {
      throw new NullPointerException("cannot write shadow field " + description + " of null");
    }
    values.put(new IdentityKey(owner, collected), value == null ? NULL : value);
  }

  Object getStatic() {
    return staticValue;
  }

  void setStatic(Object value) {
    staticValue = value;
  }

  /**
   * A handle for an {@code invokedynamic} shadow access of the given call-site type: instance get
   * {@code (Owner)T}, put {@code (Owner,T)V}; static get {@code ()T}, put {@code (T)V}.
   */
  MethodHandle accessor(boolean put, MethodType callSiteType) {
    MethodHandle handle = isStatic ? (put ? SET_STATIC : GET_STATIC) : (put ? SET : GET);
    return handle.bindTo(this).asType(callSiteType);
  }

  private void expunge() {
    for (Object ref; (ref = collected.poll()) != null; ) {
      values.remove(ref);
    }
  }

  /** Stands for a stored {@code null}, which must differ from "never set". */
  private static final Object NULL = new Object();

  /** A weak key compared by the identity of its referent. */
  private static final class IdentityKey extends WeakReference<Object> {
    private final int hash;

    IdentityKey(Object referent, ReferenceQueue<Object> queue) {
      super(referent, queue);
      this.hash = System.identityHashCode(referent);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object other) {
      if (this == other) {
        return true;
      }
      if (!(other instanceof IdentityKey key)) {
        return false;
      }
      Object referent = get();
      return referent != null && referent == key.get();
    }
  }
}
