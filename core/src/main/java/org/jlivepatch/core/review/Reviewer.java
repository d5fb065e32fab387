package org.jlivepatch.core.review;

import java.util.List;
import java.util.Map;
import org.jlivepatch.core.diff.DiffResult;
import org.jlivepatch.core.model.AddedClass;
import org.jlivepatch.core.model.BuildInfo;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.Guard;
import org.jlivepatch.core.model.HookClass;
import org.jlivepatch.core.model.Ignored;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.Refusal;
import org.jlivepatch.core.model.Renamed;
import org.jlivepatch.core.model.Warning;

/**
 * Renders a {@link Review} as text for a person: a summary on top (id, dependency, builds,
 * counts), then what changed and where each new body goes, the shadow fields, added classes and
 * guards, what was refused and the way out, every warning, what was ignored and why, what was
 * renamed, the hooks; then, per changed method, a unified diff of its normalised
 * disassembly (see {@link Disassembler}). Optionally with ANSI colour. Instances are immutable.
 */
public final class Reviewer {

  /** Lines of unchanged disassembly shown around each change, as {@code diff -u} does. */
  public static final int DEFAULT_CONTEXT_LINES = 3;

  private static final String RESET = "\u001b[0m";
  private static final String BOLD = "\u001b[1m";
  private static final String RED = "\u001b[31m";
  private static final String GREEN = "\u001b[32m";
  private static final String YELLOW = "\u001b[33m";
  private static final String CYAN = "\u001b[36m";
  private static final String BOLD_RED = "\u001b[1;31m";
  private static final String BOLD_YELLOW = "\u001b[1;33m";

  private static final String ITEM = "  ";
  private static final String DETAIL = "      ";

  private final boolean colour;
  private final int contextLines;

  private Reviewer(boolean colour, int contextLines) {
    this.colour = colour;
    this.contextLines = contextLines;
  }

  /** A reviewer that writes plain text with {@link #DEFAULT_CONTEXT_LINES} lines of context. */
  public static Reviewer plain() {
    return new Reviewer(false, DEFAULT_CONTEXT_LINES);
  }

  /** This reviewer, writing ANSI colour escapes if {@code colour} is true. */
  public Reviewer withColour(boolean colour) {
    return new Reviewer(colour, contextLines);
  }

  /**
   * This reviewer, showing {@code contextLines} unchanged lines around each change.
   *
   * @throws IllegalArgumentException if {@code contextLines} is negative
   */
  public Reviewer withContextLines(int contextLines) {
    if (contextLines < 0) {
      throw new IllegalArgumentException("context lines must not be negative: " + contextLines);
    }
    return new Reviewer(colour, contextLines);
  }

  /** The number of unchanged lines shown around each change. */
  public int contextLines() {
    return contextLines;
  }

  /** Renders the review of a patch. */
  public String render(Patch patch) {
    return render(Review.of(patch));
  }

  /** Renders the review of a difference between two class sets, refusals included. */
  public String render(DiffResult diff) {
    return render(Review.of(diff));
  }

  /** Renders a review; lines end with {@code \n}. */
  public String render(Review review) {
    return render(review, Map.of());
  }

  /**
   * Renders a review with facts about where it came from shown in the summary under the title,
   * e.g. {@code "payload" -> "fix.jlp"}; lines end with {@code \n}.
   *
   * @param facts name to value, shown in iteration order
   */
  public String render(Review review, Map<String, String> facts) {
    StringBuilder out = new StringBuilder(4096);
    summary(review, facts, out);
    changed(review, out);
    shadowFields(review.shadowFields(), out);
    addedClasses(review.addedClasses(), out);
    guards(review.guards(), out);
    refused(review.refused(), out);
    warnings(review.warnings(), out);
    ignored(review.ignored(), out);
    renamed(review.renamed(), out);
    hooks(review.hooks(), out);
    for (MethodReview method : review.changed()) {
      diff(method, out);
    }
    return out.toString();
  }

  private void summary(Review review, Map<String, String> facts, StringBuilder out) {
    String title = review.id().map(id -> "Review of patch " + id).orElse("Review of the difference between old and new classes");
    heading(out, title);
    if (!review.description().isEmpty()) {
      field(out, "description", review.description());
    }
    facts.forEach((name, value) -> field(out, name, value));
    if (review.id().isPresent()) {
      field(out, "depends on", review.depends().map(id -> "patch " + id)
          .orElse("nothing: built against unpatched classes"));
    }
    field(out, "old build", describe(review.oldBuild()));
    field(out, "new build", describe(review.newBuild()));
    review.minJavaVersion().ifPresent(v -> field(out, "runs on", "Java " + v + " and later"));
    List<MethodReview> listed = review.listedChanges();
    String counts = listed.isEmpty()
        ? "no method changed"
        : count(listed.size(), "method") + " changed in " + count(review.changedClassCount(), "class");
    long trampolines = review.count(ChangeKind.TRAMPOLINE);
    long added = review.count(ChangeKind.ADDED);
    if (trampolines > 0) {
      counts += " (" + count((int) trampolines, "trampoline") + ")";
    }
    if (added > 0) {
      counts += ", " + count((int) added, "method") + " added";
    }
    if (!review.shadowFields().isEmpty()) {
      counts += ", " + count(review.shadowFields().size(), "shadow field");
    }
    if (!review.addedClasses().isEmpty()) {
      counts += ", " + count(review.addedClasses().size(), "added class");
    }
    if (!review.guards().isEmpty()) {
      counts += ", " + count(review.guards().size(), "guard");
    }
    counts += ", " + review.refused().size() + " refused"
        + ", " + count(review.warnings().size(), "warning")
        + ", " + review.ignored().size() + " ignored"
        + ", " + review.renamed().size() + " renamed";
    if (review.id().isPresent()) {
      counts += ", " + count(review.hooks().size(), "hook");
    }
    field(out, "summary", counts);
    if (review.id().isEmpty()) {
      String verdict;
      if (!review.refused().isEmpty()) {
        verdict = paint(BOLD_RED, "no: " + count(review.refused().size(), "difference") + " refused (see REFUSED)");
      } else if (listed.isEmpty()) {
        verdict = "no: nothing to patch";
      } else {
        verdict = "yes";
      }
      field(out, "patchable", verdict);
    }
  }

  private void changed(Review review, StringBuilder out) {
    List<MethodReview> listed = review.listedChanges();
    if (listed.isEmpty()) {
      return;
    }
    section(out, BOLD, "CHANGED (" + listed.size() + ")");
    for (MethodReview method : listed) {
      out.append(ITEM).append(method.qualifiedName()).append("  ").append(method.placement().orElseThrow())
          .append('\n');
    }
  }

  private void shadowFields(List<ShadowFieldReview> fields, StringBuilder out) {
    if (fields.isEmpty()) {
      return;
    }
    section(out, BOLD_YELLOW, "SHADOW FIELDS (" + fields.size() + "): fields the fix adds, kept outside the objects");
    for (ShadowFieldReview field : fields) {
      out.append(ITEM).append(paint(YELLOW, field.text())).append('\n');
    }
  }

  private void addedClasses(List<AddedClass> classes, StringBuilder out) {
    if (classes.isEmpty()) {
      return;
    }
    section(out, BOLD, "ADDED CLASSES (" + classes.size() + ")");
    for (AddedClass added : classes) {
      out.append(ITEM).append(added.name()).append("  defined in the loader and package of ").append(added.host())
          .append('\n');
    }
  }

  private void guards(List<Guard> guards, StringBuilder out) {
    if (guards.isEmpty()) {
      return;
    }
    section(out, BOLD, "GUARDS (" + guards.size() + "): no thread switches to the patch while running one");
    for (Guard guard : guards) {
      out.append(ITEM).append(guard.className()).append('.').append(guard.method()).append(guard.descriptor())
          .append("  ").append(guard.reason()).append('\n');
    }
  }

  private void refused(List<Refusal> refused, StringBuilder out) {
    if (refused.isEmpty()) {
      return;
    }
    section(out, BOLD_RED, "REFUSED (" + refused.size() + "): no patch can be built until each is resolved");
    for (Refusal refusal : refused) {
      item(out, RED, where(refusal.className(), refusal.member()), refusal.reason());
    }
  }

  private void warnings(List<Warning> warnings, StringBuilder out) {
    if (warnings.isEmpty()) {
      return;
    }
    section(out, BOLD_YELLOW, "WARNINGS (" + warnings.size() + ")");
    for (Warning warning : warnings) {
      String where = warning.className().isEmpty() ? "the patch as a whole" : where(warning.className(), warning.member());
      item(out, YELLOW, where, warning.message());
    }
  }

  private void ignored(List<Ignored> ignored, StringBuilder out) {
    if (ignored.isEmpty()) {
      return;
    }
    section(out, BOLD, "IGNORED (" + ignored.size() + ")");
    for (Ignored entry : ignored) {
      String where = entry.method().isEmpty()
          ? entry.className() + " (whole class)"
          : entry.className() + "." + entry.method() + entry.descriptor();
      item(out, null, where, entry.reason());
    }
  }

  private void renamed(List<Renamed> renamed, StringBuilder out) {
    if (renamed.isEmpty()) {
      return;
    }
    section(out, BOLD, "RENAMED (" + renamed.size() + "): matched by content, the patch keeps the old name");
    for (Renamed entry : renamed) {
      out.append(ITEM).append(entry.className()).append(' ').append(entry.kind()).append(": ")
          .append(entry.newName()).append(" in the new build is ").append(entry.oldName()).append('\n');
    }
  }

  private void hooks(List<HookClass> hooks, StringBuilder out) {
    if (hooks.isEmpty()) {
      return;
    }
    section(out, BOLD, "HOOKS (" + hooks.size() + ")");
    for (HookClass hook : hooks) {
      out.append(ITEM).append(hook.name()).append(hook.entryPoint() ? "  (hook, run by the agent)" : "  (helper)")
          .append('\n');
    }
  }

  private void diff(MethodReview method, StringBuilder out) {
    String title = "DIFF " + method.qualifiedName() + "  "
        + method.kind().map(k -> k.label()).orElse("NOT LISTED IN THE PATCH");
    section(out, method.listed() ? BOLD : BOLD_YELLOW, title);
    if (!method.disassembled()) {
      out.append(ITEM).append("(no class bytes to disassemble: the class is not part of a patch)\n");
      return;
    }
    if (method.identical()) {
      out.append(ITEM).append("(the normalised disassembly is identical)\n");
      return;
    }
    for (String line : method.unifiedDiff(contextLines)) {
      String style;
      if (line.startsWith("---") || line.startsWith("+++")) {
        style = BOLD;
      } else if (line.startsWith("@@")) {
        style = CYAN;
      } else if (line.startsWith("-")) {
        style = RED;
      } else if (line.startsWith("+")) {
        style = GREEN;
      } else {
        style = null;
      }
      out.append(paint(style, line)).append('\n');
    }
  }

  private static String describe(BuildInfo build) {
    String jdk = build.buildJdk().isEmpty() ? "JDK unknown" : "JDK " + build.buildJdk();
    String classFiles = build.majorVersion() == 0
        ? "no class files"
        : "class files " + build.majorVersion() + " (Java " + (build.majorVersion() - 44) + ")";
    return jdk + ", " + classFiles;
  }

  private static String where(String className, String member) {
    if (className.isEmpty()) {
      return member.isEmpty() ? "(everywhere)" : member;
    }
    return member.isEmpty() ? className : className + "  " + member;
  }

  private static String count(int n, String noun) {
    String plural = noun.endsWith("s") ? noun + "es" : noun + "s";
    return n + " " + (n == 1 ? noun : plural);
  }

  private void heading(StringBuilder out, String text) {
    out.append(paint(BOLD, text)).append('\n');
  }

  private void section(StringBuilder out, String style, String text) {
    out.append('\n').append(paint(style, text)).append('\n');
  }

  private void field(StringBuilder out, String name, String value) {
    out.append(ITEM).append(String.format("%-13s", name)).append(value).append('\n');
  }

  private void item(StringBuilder out, String style, String where, String detail) {
    out.append(ITEM).append(paint(style, where)).append('\n');
    for (String line : detail.split("\n")) {
      out.append(DETAIL).append(paint(style, line)).append('\n');
    }
  }

  private String paint(String style, String text) {
    return colour && style != null ? style + text + RESET : text;
  }
}
