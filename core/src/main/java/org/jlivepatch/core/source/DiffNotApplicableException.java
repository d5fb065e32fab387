package org.jlivepatch.core.source;

/** A unified diff that is unreadable, or does not apply to the sources it names. */
public final class DiffNotApplicableException extends SourceFixException {

  private static final long serialVersionUID = 1L;

  private final String file;
  private final String hunk;

  /**
   * @param file the source file the diff names, or empty when the diff itself is unreadable
   * @param hunk the header of the hunk that failed ({@code @@ -10,7 +10,8 @@}), or empty
   * @param message one line naming the file, the hunk and what is wrong
   */
  public DiffNotApplicableException(String file, String hunk, String message) {
    super(message);
    this.file = file;
    this.hunk = hunk;
  }

  /** The source file the diff names, or empty when the diff itself is unreadable. */
  public String file() {
    return file;
  }

  /** The header of the hunk that failed, or empty. */
  public String hunk() {
    return hunk;
  }
}
