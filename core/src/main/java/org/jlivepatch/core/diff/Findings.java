package org.jlivepatch.core.diff;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jlivepatch.core.model.BuildInfo;
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
    changed.sort(Comparator.comparing(ChangedMethod::className));
    classes.sort(Comparator.comparing(PatchedClass::name));
    ignored.sort(Comparator.comparing(Ignored::className).thenComparing(Ignored::method)
        .thenComparing(Ignored::descriptor).thenComparing(Ignored::reason));
    refused.sort(Comparator.comparing(Refusal::className).thenComparing(Refusal::member)
        .thenComparing(Refusal::reason));
    warnings.sort(Comparator.comparing(Warning::className).thenComparing(Warning::member)
        .thenComparing(Warning::message));
    renamed.sort(Comparator.comparing(Renamed::className).thenComparing(Renamed::kind)
        .thenComparing(Renamed::oldName).thenComparing(Renamed::newName));
    return new DiffResult(changed, ignored, refused, warnings, renamed, classes, oldBuild, newBuild);
  }
}
