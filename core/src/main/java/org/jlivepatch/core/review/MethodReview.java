package org.jlivepatch.core.review;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jlivepatch.core.model.ChangeKind;

/**
 * One method as a reviewer sees it: its normalised disassembly before and after the patch.
 *
 * @param className binary class name
 * @param method method name
 * @param descriptor method descriptor
 * @param kind how the change is switched in; empty for a method whose bytes differ although the
 *     patch does not list it as patched
 * @param oldLines the disassembly the patch was built against; empty if the method is new or the
 *     class bytes are not available
 * @param newLines the disassembly once the patch is applied; empty if the method is removed or the
 *     class bytes are not available
 * @param disassembled whether class bytes were available to disassemble; {@code false} for a
 *     change found by the differ in a class that no patch carries (e.g. one that was refused)
 */
public record MethodReview(
    String className,
    String method,
    String descriptor,
    Optional<ChangeKind> kind,
    List<String> oldLines,
    List<String> newLines,
    boolean disassembled) {

  public MethodReview {
    Objects.requireNonNull(className, "className");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(kind, "kind");
    oldLines = List.copyOf(oldLines);
    newLines = List.copyOf(newLines);
  }

  /** The method as {@code com.example.Foo.parse(Ljava/lang/String;)I}. */
  public String qualifiedName() {
    return className + "." + method + descriptor;
  }

  /**
   * Where the new body goes, for a listed method: {@code in place}; {@code trampoline: runs in
   * hidden class C$$Jlp; C.m becomes an entry redirect}; {@code added: lives in hidden class C$$Jlp}.
   * Empty for an unlisted method.
   */
  public Optional<String> placement() {
    return kind.map(k -> switch (k) {
      case IN_PLACE -> "in place";
      case TRAMPOLINE -> "trampoline: runs in hidden class " + hiddenClass() + "; " + className + "." + method
          + " becomes an entry redirect";
      case ADDED -> "added: lives in hidden class " + hiddenClass();
    });
  }

  /** The name of the patch's hidden nestmate class for this method's class, as its bytes name it. */
  public String hiddenClass() {
    return className + "$$Jlp";
  }

  /** Whether the patch lists this method as patched. */
  public boolean listed() {
    return kind.isPresent();
  }

  /** Whether the old and new disassembly are the same text. */
  public boolean identical() {
    return oldLines.equals(newLines);
  }

  /**
   * Returns the unified diff of the old and new disassembly: a {@code ---}/{@code +++} header
   * naming the method, then hunks with {@code contextLines} lines of context around each change.
   * Empty when the two are identical or nothing was disassembled.
   */
  public List<String> unifiedDiff(int contextLines) {
    if (!disassembled || identical()) {
      return List.of();
    }
    return List.copyOf(UnifiedDiffUtils.generateUnifiedDiff(
        "old/" + qualifiedName(), "new/" + qualifiedName(), oldLines,
        DiffUtils.diff(oldLines, newLines), contextLines));
  }
}
