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
  private final byte[] beforeLogical;
  private final byte[] logical;

  InstalledClass(String name, ClassLoader loader, byte[] before, byte[] after) {
    this(name, loader, before, after, before, after);
  }

  /**
   * @param beforeLogical the logical class {@code before} stands for (see {@link #logical()})
   * @param logical the class as the patch leaves it, with the methods and fields it adds, which
   *     {@code after} carries as redirects into hidden classes and shadow fields
   */
  InstalledClass(String name, ClassLoader loader, byte[] before, byte[] after, byte[] beforeLogical, byte[] logical) {
    this.name = name;
    this.loader = new WeakReference<>(loader);
    this.bootstrap = loader == null;
    this.loaderDescription = Loaders.describe(loader);
    this.before = before;
    this.after = after;
    this.beforeLogical = beforeLogical;
    this.logical = logical;
  }

  /** The logical class below this patch: what the next patch down left, methods it added included. */
  byte[] beforeLogical() {
    return beforeLogical;
  }

  /** The logical class this patch leaves: the base for expectations and splicing of the next patch up. */
  byte[] logical() {
    return logical;
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
