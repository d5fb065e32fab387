package org.jlivepatch.core.review;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jlivepatch.core.diff.ChangedMethod;
import org.jlivepatch.core.diff.DiffResult;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.BuildInfo;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.Ignored;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.model.Refusal;
import org.jlivepatch.core.model.Renamed;
import org.jlivepatch.core.model.Warning;
import org.jlivepatch.core.splice.ClassSplicer;
import org.jlivepatch.core.testing.InMemoryCompiler;

/**
 * Builds patches and differences from two versions of fixture sources the simple way: every method
 * whose fingerprint differs is patched in place, spliced into the old class. Stands in for the
 * differ, which classifies much more, so that the reviewer is tested on its own.
 */
public final class ReviewFixtures {

  private ReviewFixtures() {}

  /** The difference between two versions of {@code className}, each given as its source text. */
  public static DiffResult diff(String className, String oldSource, String newSource,
      List<Refusal> refused, List<Warning> warnings, List<Ignored> ignored, List<Renamed> renamed) {
    byte[] oldBytes = InMemoryCompiler.compile(Map.of(className, oldSource), "-g").get(className);
    byte[] newBytes = InMemoryCompiler.compile(Map.of(className, newSource), "-g").get(className);
    Map<String, String> oldPrints = Fingerprints.ofClass(oldBytes);
    Map<String, String> newPrints = Fingerprints.ofClass(newBytes);
    List<String> keys = new ArrayList<>();
    List<PatchedMethod> methods = new ArrayList<>();
    List<ChangedMethod> changed = new ArrayList<>();
    oldPrints.forEach((key, oldPrint) -> {
      String newPrint = newPrints.get(key);
      if (newPrint != null && !Objects.equals(oldPrint, newPrint)) {
        int paren = key.indexOf('(');
        keys.add(key);
        methods.add(new PatchedMethod(key.substring(0, paren), key.substring(paren), ChangeKind.IN_PLACE,
            oldPrint, newPrint));
        changed.add(new ChangedMethod(className, key.substring(0, paren), key.substring(paren),
            ChangeKind.IN_PLACE));
      }
    });
    List<PatchedClass> classes = methods.isEmpty()
        ? List.of()
        : List.of(new PatchedClass(className, oldBytes, ClassSplicer.splice(oldBytes, newBytes, keys), methods));
    BuildInfo build = new BuildInfo("17", 61);
    return new DiffResult(changed, ignored, refused, warnings, renamed, classes, build, build);
  }

  /** A patch with id {@code fix-1} from two versions of {@code className}. */
  public static Patch patch(String className, String oldSource, String newSource) {
    return diff(className, oldSource, newSource, List.of(), List.of(), List.of(), List.of())
        .toPatch("fix-1", "", Optional.empty(), List.of());
  }
}
