package org.jlivepatch.core.stub;

/** A stub request that names no single method, or whose return value cannot be read. */
public final class StubSpecException extends Exception {

  private static final long serialVersionUID = 1L;

  /** @param message one line naming the spec and what is wrong */
  public StubSpecException(String message) {
    super(message);
  }
}
