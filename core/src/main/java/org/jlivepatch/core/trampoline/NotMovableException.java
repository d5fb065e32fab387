package org.jlivepatch.core.trampoline;

/**
 * Thrown when a method body cannot run from the hidden class, or cannot be given an entry
 * redirect, naming the class, the method, its descriptor and the reason.
 */
public final class NotMovableException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String className;
  private final String method;
  private final String descriptor;
  private final String reason;

  /**
   * @param className the class's internal name
   * @param method the method name
   * @param descriptor the method descriptor
   * @param reason why, as a phrase completing "cannot be moved ...: "
   */
  public NotMovableException(String className, String method, String descriptor, String reason) {
    super(className + "." + method + descriptor + " cannot run from a hidden class: " + reason);
    this.className = className;
    this.method = method;
    this.descriptor = descriptor;
    this.reason = reason;
  }

  /** The internal name of the class declaring the method. */
  public String className() {
    return className;
  }

  /** The method's name. */
  public String method() {
    return method;
  }

  /** The method's descriptor. */
  public String descriptor() {
    return descriptor;
  }

  /** Why the method cannot be moved, without the class and method. */
  public String reason() {
    return reason;
  }
}
