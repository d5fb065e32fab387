package org.jlivepatch.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import org.jlivepatch.core.review.MethodReview;
import org.jlivepatch.core.review.Review;
import org.jlivepatch.core.review.ShadowFieldReview;

/**
 * The JSON form of a patch or a difference, shared by {@code build}, {@code review} and
 * {@code inspect} so that they print the same keys. The schema is documented in
 * {@code docs/json.md}. Every method returns a fresh mutable map in key order, so that a command
 * can add keys of its own.
 */
public final class ReportJson {

  private ReportJson() {}

  /**
   * The JSON object of a difference between two class sets.
   *
   * @param id the patch id it is being built as, or {@code null}
   */
  public static Map<String, Object> of(DiffResult result, String id) {
    Map<String, Object> object = of(Review.of(result), false, 0);
    object.put("id", id);
    return object;
  }

  /** The JSON object of a patch. */
  public static Map<String, Object> of(Patch patch) {
    return of(Review.of(patch), false, 0);
  }

  /**
   * The JSON object of a review: the keys of {@link #of(Patch)} and {@link #of(DiffResult, String)},
   * and with each changed method its unified {@code "diff"} lines.
   *
   * @param contextLines unchanged lines shown around each change
   */
  public static Map<String, Object> of(Review review, int contextLines) {
    return of(review, true, contextLines);
  }

  private static Map<String, Object> of(Review review, boolean diffs, int contextLines) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("id", review.id().orElse(null));
    object.put("description", review.description());
    object.put("depends", review.depends().orElse(null));
    object.put("patchable", review.patchable());
    Map<String, Object> builds = new LinkedHashMap<>();
    builds.put("old", build(review.oldBuild()));
    builds.put("new", build(review.newBuild()));
    object.put("builds", builds);
    object.put("minJavaVersion", review.minJavaVersion().orElse(null));

    List<Object> changed = new ArrayList<>();
    List<Object> unlisted = new ArrayList<>();
    for (MethodReview method : review.changed()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("class", method.className());
      entry.put("method", method.method());
      entry.put("descriptor", method.descriptor());
      if (method.listed()) {
        entry.put("kind", method.kind().orElseThrow().label());
        entry.put("placement", method.placement().orElseThrow());
        entry.put("hiddenClass", method.kind().orElseThrow() == ChangeKind.IN_PLACE ? null : method.hiddenClass());
      }
      if (diffs) {
        entry.put("disassembled", method.disassembled());
        entry.put("diff", method.unifiedDiff(contextLines));
      }
      (method.listed() ? changed : unlisted).add(entry);
    }
    object.put("changed", changed);
    object.put("unlisted", unlisted);

    List<Object> shadowFields = new ArrayList<>();
    for (ShadowFieldReview entry : review.shadowFields()) {
      shadowFields.add(fields("class", entry.className(), "name", entry.field().name(), "descriptor",
          entry.field().descriptor(), "static", entry.field().isStatic(), "note", entry.text()));
    }
    object.put("shadowFields", shadowFields);
    List<Object> addedClasses = new ArrayList<>();
    for (AddedClass entry : review.addedClasses()) {
      addedClasses.add(fields("class", entry.name(), "host", entry.host()));
    }
    object.put("addedClasses", addedClasses);
    List<Object> guards = new ArrayList<>();
    for (Guard entry : review.guards()) {
      guards.add(fields("class", entry.className(), "method", entry.method(), "descriptor", entry.descriptor(),
          "reason", entry.reason()));
    }
    object.put("guards", guards);

    List<Object> ignored = new ArrayList<>();
    for (Ignored entry : review.ignored()) {
      ignored.add(fields("class", entry.className(), "method", entry.method(), "descriptor", entry.descriptor(),
          "reason", entry.reason()));
    }
    object.put("ignored", ignored);
    List<Object> refused = new ArrayList<>();
    for (Refusal entry : review.refused()) {
      refused.add(fields("class", entry.className(), "member", entry.member(), "reason", entry.reason()));
    }
    object.put("refused", refused);
    List<Object> warnings = new ArrayList<>();
    for (Warning entry : review.warnings()) {
      warnings.add(fields("class", entry.className(), "member", entry.member(), "message", entry.message()));
    }
    object.put("warnings", warnings);
    List<Object> renamed = new ArrayList<>();
    for (Renamed entry : review.renamed()) {
      renamed.add(fields("class", entry.className(), "kind", entry.kind(), "oldName", entry.oldName(),
          "newName", entry.newName()));
    }
    object.put("renamed", renamed);
    List<Object> hooks = new ArrayList<>();
    for (HookClass hook : review.hooks()) {
      hooks.add(fields("class", hook.name(), "entryPoint", hook.entryPoint()));
    }
    object.put("hooks", hooks);
    return object;
  }

  private static Map<String, Object> build(BuildInfo build) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("jdk", build.buildJdk().isEmpty() ? null : build.buildJdk());
    object.put("major", build.majorVersion() == 0 ? null : build.majorVersion());
    return object;
  }

  private static Map<String, Object> fields(Object... keysAndValues) {
    Map<String, Object> object = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      object.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return object;
  }
}
