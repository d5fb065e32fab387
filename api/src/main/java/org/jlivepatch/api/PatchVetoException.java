package org.jlivepatch.api;

/**
 * Thrown by {@link PatchHook#preApply} or {@link PatchHook#preRevert} to refuse the operation.
 * Nothing changes in the target, and the message is reported to whoever issued the command.
 */
public class PatchVetoException extends Exception {

  private static final long serialVersionUID = 1L;

  /**
   * Creates a veto.
   *
   * @param message one line saying why, shown to the operator
   */
  public PatchVetoException(String message) {
    super(message);
  }

  /**
   * Creates a veto with the failure that caused it.
   *
   * @param message one line saying why, shown to the operator
   * @param cause the failure behind the veto
   */
  public PatchVetoException(String message, Throwable cause) {
    super(message, cause);
  }
}
