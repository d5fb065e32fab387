package org.jlivepatch.agent.rt;

import java.lang.ref.WeakReference;

/**
 * A class definition a patch switched in, in one class loader: the bytes it replaced (restored on
 * revert) and the bytes it installed (the base for the next patch on the stack). The loader is
 * held weakly so that a patched web application can still be unloaded.
 */
final class InstalledClass {

  private final String name;
  private final WeakReference<ClassLoader> loader;
  private final boolean bootstrap;
  private final String loaderDescription;
  private final byte[] before;
  private final byte[] after;

  InstalledClass(String name, ClassLoader loader, byte[] before, byte[] after) {
    this.name = name;
    this.loader = new WeakReference<>(loader);
    this.bootstrap = loader == null;
    this.loaderDescription = Loaders.describe(loader);
    this.before = before;
    this.after = after;
  }

  String name() {
    return name;
  }

  String loaderDescription() {
    return loaderDescription;
  }

  byte[] before() {
    return before;
  }

  byte[] after() {
    return after;
  }

  /** Whether {@code type} is this class in this loader. */
  boolean is(Class<?> type) {
    return type.getName().equals(name) && isLoader(type.getClassLoader());
  }

  /** Whether {@code candidate} is the loader this class was installed in. */
  boolean isLoader(ClassLoader candidate) {
    return bootstrap ? candidate == null : candidate != null && candidate == loader.get();
  }

  /** Whether the class loader is gone, so the class is unloaded. */
  boolean unloaded() {
    return !bootstrap && loader.get() == null;
  }
}
