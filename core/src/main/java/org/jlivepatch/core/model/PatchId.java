package org.jlivepatch.core.model;

import java.util.regex.Pattern;

/** The rules for patch ids: they name files, stack entries and audit records. */
public final class PatchId {

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private PatchId() {}

  /** Whether {@code id} is a valid patch id: 1 to 64 of {@code A-Z a-z 0-9 . _ -}, not starting with a punctuation character. */
  public static boolean isValid(String id) {
    return id != null && VALID.matcher(id).matches();
  }

  /**
   * Returns {@code id} if it is valid.
   *
   * @throws IllegalArgumentException naming the id and the rule
   */
  public static String check(String id) {
    if (!isValid(id)) {
      throw new IllegalArgumentException(
          "invalid patch id '" + id + "': use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    return id;
  }
}
