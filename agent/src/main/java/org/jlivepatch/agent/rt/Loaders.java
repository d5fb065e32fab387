package org.jlivepatch.agent.rt;

/** Describes class loaders in results and logs. */
final class Loaders {

  private Loaders() {}

  /** A short description: the loader's name if it has one, its class and identity otherwise. */
  static String describe(ClassLoader loader) {
    if (loader == null) {
      return "bootstrap";
    }
    if (loader == ClassLoader.getSystemClassLoader()) {
      return "app";
    }
    if (loader == ClassLoader.getPlatformClassLoader()) {
      return "platform";
    }
    String name = loader.getName();
    String identity = loader.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(loader));
    return name == null ? identity : name + " (" + identity + ")";
  }
}
