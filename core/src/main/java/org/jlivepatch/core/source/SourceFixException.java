package org.jlivepatch.core.source;

/** A source fix that cannot be turned into a patch: its diff does not apply, or it does not compile. */
public class SourceFixException extends Exception {

  private static final long serialVersionUID = 1L;

  /** @param message one line naming the file and what is wrong */
  public SourceFixException(String message) {
    super(message);
  }

  /**
   * @param message one line naming the file and what is wrong
   * @param cause the underlying exception
   */
  public SourceFixException(String message, Throwable cause) {
    super(message, cause);
  }
}
