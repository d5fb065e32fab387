package org.jlivepatch.core.diff;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.jlivepatch.core.classes.ClassSet;

/**
 * Compares two builds of an application method by method and classifies every difference: the
 * class-file analog of kpatch's {@code create-diff-object}.
 *
 * <p>Methods compare by {@link org.jlivepatch.core.fingerprint.Fingerprints}, so constant-pool
 * order, line numbers, local variables and stack map frames do not count as changes. Renumbered
 * synthetics (lambda bodies, accessors, anonymous classes) are first matched by content and the
 * new build renamed to the old names. Each class with changed method bodies becomes a
 * {@link org.jlivepatch.core.model.PatchedClass}: the old class file with only those methods
 * spliced in from the new one. Everything else is refused, warned about or ignored, each with its
 * reason; nothing is dropped silently. The result is sorted, so equal inputs give equal results.
 */
public final class ClassDiffer {

  private ClassDiffer() {}

  /**
   * Compares two builds.
   *
   * @param oldClasses the classes the running application was started with
   * @param newClasses the same application with the fix
   * @param options which classes to cover
   * @return the classified differences and, unless something is refused, the patched classes
   * @throws IllegalArgumentException if a class file of either build cannot be read, naming it
   */
  public static DiffResult diff(ClassSet oldClasses, ClassSet newClasses, DiffOptions options) {
    Objects.requireNonNull(oldClasses, "oldClasses");
    Objects.requireNonNull(newClasses, "newClasses");
    Objects.requireNonNull(options, "options");
    Predicate<String> covered = options.coverage();
    Map<String, byte[]> olds = covered(oldClasses.classes(), covered);
    Map<String, byte[]> news = covered(newClasses.classes(), covered);

    Set<String> touchedNests = new TreeSet<>();
    olds.forEach((name, bytes) -> {
      if (!Arrays.equals(bytes, news.get(name))) {
        touchedNests.add(SyntheticNames.topLevel(name));
      }
    });
    news.keySet().forEach(name -> {
      if (!olds.containsKey(name)) {
        touchedNests.add(SyntheticNames.topLevel(name));
      }
    });

    SyntheticMatcher matcher = new SyntheticMatcher();
    Map<String, Map<String, byte[]>> oldNests = nests(olds, touchedNests);
    Map<String, Map<String, byte[]>> newNests = nests(news, touchedNests);
    for (String nest : touchedNests) {
      try {
        matcher.matchNest(oldNests.getOrDefault(nest, Map.of()), newNests.getOrDefault(nest, Map.of()));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("cannot read the classes of " + nest + ": " + e, e);
      }
    }
    Renaming renaming = matcher.renaming();
    Map<String, byte[]> renamedNews = new TreeMap<>();
    news.forEach((name, bytes) -> {
      String internal = name.replace('.', '/');
      if (renaming.touchesNest(SyntheticNames.topLevel(internal))) {
        renamedNews.put(renaming.className(internal).replace('/', '.'), renaming.apply(bytes));
      } else {
        renamedNews.put(name, bytes);
      }
    });

    Findings findings = new Findings();
    CompilationDifferences compilation = new CompilationDifferences();
    Set<String> names = new TreeSet<>(olds.keySet());
    names.addAll(renamedNews.keySet());
    for (String name : names) {
      byte[] oldBytes = olds.get(name);
      byte[] newBytes = renamedNews.get(name);
      if (oldBytes == null) {
        refuseAdded(Renaming.newBuildName(name), findings);
      } else if (newBytes == null) {
        findings.ignore(name, "", "", "class removed in the new build: it stays loaded in the running JVM as it is");
      } else if (!Arrays.equals(oldBytes, newBytes)) {
        ClassComparer.compare(name, oldBytes, newBytes, findings, compilation);
      }
    }
    compilation.warn(oldClasses, newClasses, findings);
    findings.renamed.addAll(matcher.reports());
    return findings.toResult(oldClasses.buildInfo(), newClasses.buildInfo());
  }

  private static void refuseAdded(String name, Findings findings) {
    String what = SyntheticNames.isAnonymousClass(name) ? "added anonymous class" : "added class";
    findings.refuse(name, "", what + ": redefinition cannot add classes to a running application; a new class "
        + "needs a trampoline (loaded as a hidden nestmate), which jlivepatch does not build yet; or restart");
  }

  private static Map<String, byte[]> covered(Map<String, byte[]> classes, Predicate<String> covered) {
    Map<String, byte[]> result = new TreeMap<>();
    classes.forEach((name, bytes) -> {
      if (covered.test(name)) {
        result.put(name, bytes);
      }
    });
    return result;
  }

  /** Internal class names to bytes, per touched nest (top-level binary name). */
  private static Map<String, Map<String, byte[]>> nests(Map<String, byte[]> classes, Set<String> touchedNests) {
    Map<String, Map<String, byte[]>> nests = new HashMap<>();
    classes.forEach((name, bytes) -> {
      String nest = SyntheticNames.topLevel(name);
      if (touchedNests.contains(nest)) {
        nests.computeIfAbsent(nest, n -> new TreeMap<>()).put(name.replace('.', '/'), bytes);
      }
    });
    return nests;
  }
}
