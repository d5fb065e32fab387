package org.jlivepatch.core.diff;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jlivepatch.core.model.AddedClass;
import org.jlivepatch.core.model.BuildInfo;
import org.jlivepatch.core.model.Guard;
import org.jlivepatch.core.model.Ignored;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.Refusal;
import org.jlivepatch.core.model.Renamed;
import org.jlivepatch.core.model.Warning;

/** Collects what the differ finds and hands it out sorted, so that equal inputs give equal results. */
final class Findings {

  final List<ChangedMethod> changed = new ArrayList<>();
  final List<Ignored> ignored = new ArrayList<>();
  final List<Refusal> refused = new ArrayList<>();
  final List<Warning> warnings = new ArrayList<>();
  final List<Renamed> renamed = new ArrayList<>();
  final List<PatchedClass> classes = new ArrayList<>();
  /** In the order they are to be defined. */
  final List<AddedClass> addedClasses = new ArrayList<>();
  final List<Guard> guards = new ArrayList<>();

  private static final Comparator<Ignored> IGNORED_ORDER = (a, b) -> {
    int order = compare(a.className(), b.className());
    order = order != 0 ? order : compare(a.method(), b.method());
    order = order != 0 ? order : compare(a.descriptor(), b.descriptor());
    return order != 0 ? order : compare(a.reason(), b.reason());
  };

  /**
   * Sorts the entries ignored since {@code from}, those of one class: the list then holds long sorted
   * runs, which the final sort merges cheaply. Stable, like that sort, so the result is the same.
   */
  void sortIgnoredSince(int from) {
    ignored.subList(from, ignored.size()).sort(IGNORED_ORDER);
  }

  void ignore(String className, String method, String descriptor, String reason) {
    ignored.add(new Ignored(className, method, descriptor, reason));
  }

  void refuse(String className, String member, String reason) {
    refused.add(new Refusal(className, member, reason));
  }

  void warn(String className, String member, String message) {
    warnings.add(new Warning(className, member, message));
  }

  DiffResult toResult(BuildInfo oldBuild, BuildInfo newBuild) {
    // Stable sorts: methods stay in class-file order within their class.
    changed.sort((a, b) -> compare(a.className(), b.className()));
    classes.sort((a, b) -> compare(a.name(), b.name()));
    ignored.sort(IGNORED_ORDER);
    refused.sort((a, b) -> {
      int order = compare(a.className(), b.className());
      order = order != 0 ? order : compare(a.member(), b.member());
      return order != 0 ? order : compare(a.reason(), b.reason());
    });
    warnings.sort((a, b) -> {
      int order = compare(a.className(), b.className());
      order = order != 0 ? order : compare(a.member(), b.member());
      return order != 0 ? order : compare(a.message(), b.message());
    });
    renamed.sort((a, b) -> {
      int order = compare(a.className(), b.className());
      order = order != 0 ? order : compare(a.kind(), b.kind());
      order = order != 0 ? order : compare(a.oldName(), b.oldName());
      return order != 0 ? order : compare(a.newName(), b.newName());
    });
    guards.sort((a, b) -> {
      int order = compare(a.className(), b.className());
      order = order != 0 ? order : compare(a.method(), b.method());
      return order != 0 ? order : compare(a.descriptor(), b.descriptor());
    });
    return new DiffResult(changed, ignored, refused, warnings, renamed, classes, addedClasses, guards, oldBuild,
        newBuild);
  }

  /** String order; entries of one class share the name's instance, which spares comparing it char by char. */
  private static int compare(String a, String b) {
    return a == b ? 0 : a.compareTo(b);
  }
}
