package org.jlivepatch.core.model;

/**
 * Something a reviewer must know about a patch that is still built.
 *
 * @param className binary class name, or empty for the patch as a whole
 * @param member the member concerned, or empty
 * @param message what to look at and why it matters
 */
public record Warning(String className, String member, String message) {

  /** The warning as one line of text. */
  public String toLine() {
    StringBuilder line = new StringBuilder();
    if (!className.isEmpty()) {
      line.append(className);
      if (!member.isEmpty()) {
        line.append(' ').append(member);
      }
      line.append(": ");
    }
    return line.append(message).toString();
  }
}
