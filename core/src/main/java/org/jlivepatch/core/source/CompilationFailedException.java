package org.jlivepatch.core.source;

import java.util.List;

/** javac refused the original or the patched sources. */
public final class CompilationFailedException extends SourceFixException {

  private static final long serialVersionUID = 1L;

  private final List<String> errors;

  /**
   * @param which {@code original} or {@code patched}
   * @param errors javac's errors, each as {@code file:line: message}; never empty
   */
  public CompilationFailedException(String which, List<String> errors) {
    super("the " + which + " sources do not compile: " + errors.get(0)
        + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more error(s))" : ""));
    this.errors = List.copyOf(errors);
  }

  /** javac's errors, first first, each as {@code file:line: message}. */
  public List<String> errors() {
    return errors;
  }
}
