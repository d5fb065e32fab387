package org.jlivepatch.core.diff;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.diff.ClassComparer.ParsedPair;
import org.objectweb.asm.tree.ClassNode;

/**
 * Compares two builds of an application method by method and classifies every difference: the
 * class-file analog of kpatch's {@code create-diff-object}.
 *
 * <p>Methods compare by {@link org.jlivepatch.core.fingerprint.Fingerprints}, so constant-pool
 * order, line numbers, local variables and stack map frames do not count as changes. Renumbered
 * synthetics (lambda bodies, accessors, anonymous classes) are first matched by content and the
 * new build renamed to the old names. Each class with changed method bodies, added methods or
 * added fields becomes a {@link org.jlivepatch.core.model.PatchedClass}: the old class file with
 * only those methods spliced in from the new one and the added members appended. A changed body
 * that uses an added method, lambda or field needs a trampoline; added fields become shadow
 * fields; added classes are defined beside an existing class of their package; methods outside
 * the patch that call two or more patched methods become guards. Everything else is refused,
 * warned about or ignored, each with its reason; nothing is dropped silently. The result is
 * sorted, so equal inputs give equal results.
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
    Findings findings = new Findings();
    CompilationDifferences compilation = new CompilationDifferences();
    // Whether a changed body can stay in place depends on what the fix adds anywhere. Members other
    // classes can use keep their names across builds, so a scan of the member names finds them up
    // front; each nest then adds its renamed synthetics and is compared while its classes are fresh.
    ClassReaders readers = new ClassReaders();
    Additions additions = new Additions(newClasses);
    olds.forEach((name, oldBytes) -> {
      byte[] newBytes = news.get(name);
      if (newBytes != null && !SyntheticNames.isAnonymousClass(name) && !Arrays.equals(oldBytes, newBytes)) {
        additions.scan(name.replace('.', '/'), readers.keep(oldBytes), readers.keep(newBytes));
      }
    });
    Supertypes supertypes = new Supertypes(oldClasses);
    Map<String, ClassNode> added = new TreeMap<>();
    Map<String, Map<String, byte[]>> oldNests = nests(olds, touchedNests);
    Map<String, Map<String, byte[]>> newNests = nests(news, touchedNests);
    for (String nest : touchedNests) {
      Map<String, byte[]> oldNest = oldNests.getOrDefault(nest, Map.of());
      Map<String, byte[]> newNest = newNests.getOrDefault(nest, Map.of());
      Map<String, ParsedPair> pairs = readPairs(oldNest, newNest, readers);
      // Matching synthetics by content costs; it can only help where comparing them by name finds a difference.
      boolean differs = !oldNest.keySet().equals(newNest.keySet());
      for (ParsedPair pair : pairs.values()) {
        differs = differs || pair.syntheticsDiffer();
      }
      String nestInternal = nest.replace('.', '/');
      if (differs) {
        pairs = full(pairs);
        try {
          matcher.matchNest(nodes(oldNest, pairs, true, readers), nodes(newNest, pairs, false, readers));
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("cannot read the classes of " + nest + ": " + e, e);
        }
      }
      if (matcher.renaming().touchesNest(nestInternal)) {
        Map<String, byte[]> renamed = new TreeMap<>();
        pairs = renamedPairs(matcher.renaming(), oldNest, newNest, pairs, renamed, readers);
        newNest = renamed;
      }
      Set<String> names = new TreeSet<>(oldNest.keySet());
      names.addAll(newNest.keySet());
      Map<String, ParsedPair> comparisons = new TreeMap<>();
      for (String internalName : names) {
        String name = internalName.replace('/', '.');
        ParsedPair pair = pairs.get(internalName);
        if (!oldNest.containsKey(internalName)) {
          added.put(internalName, readAdded(internalName, newNest.get(internalName), matcher.renaming(), readers));
          additions.addClass(internalName);
        } else if (!newNest.containsKey(internalName)) {
          findings.ignore(name, "", "", "class removed in the new build: it stays loaded in the running JVM as it is");
        } else if (pair != null) {
          comparisons.put(name, pair);
        }
      }
      comparisons.values().forEach(pair -> additions.compare(pair.oldClass(), pair.newClass()));
      comparisons.forEach((name, pair) -> ClassComparer.compare(name, pair, findings, compilation, additions,
          supertypes));
    }
    Set<String> patchedNames = new TreeSet<>();
    findings.classes.forEach(c -> patchedNames.add(c.name()));
    new AddedClasses(oldClasses, additions, findings).classify(added, patchedNames);
    compilation.warn(oldClasses, newClasses, findings);
    findings.renamed.addAll(matcher.reports());
    // Guards matter only to a patch that can be built; finding them parses every caller.
    boolean patchable = findings.refused.isEmpty();
    findings.guards.addAll(Guards.find(oldClasses, patchable ? findings.classes : List.of(), options.guards(), findings));
    return findings.toResult(oldClasses.buildInfo(), newClasses.buildInfo());
  }

  /** An added class as read in full, with the renaming applied when it mentions a renamed name. */
  private static ClassNode readAdded(String internalName, byte[] bytes, Renaming renaming, ClassReaders readers) {
    ClassNode node = ClassComparer.read(readers, bytes, "new", internalName.replace('/', '.'));
    return !renaming.isEmpty() && renaming.mayApplyTo(bytes) ? renaming.apply(node) : node;
  }

  /**
   * The pairs to compare once the new build's synthetics have their old names: a class that mentions
   * a renamed name is compared renamed, even if its bytes were equal; the others as they were.
   *
   * @param renamedNest filled with the new nest's bytes by their names after renaming
   */
  private static Map<String, ParsedPair> renamedPairs(Renaming renaming, Map<String, byte[]> oldNest,
      Map<String, byte[]> newNest, Map<String, ParsedPair> pairs, Map<String, byte[]> renamedNest, ClassReaders readers) {
    Map<String, ParsedPair> renamedPairs = new HashMap<>();
    Map<String, ParsedPair> full = full(pairs); // renaming rewrites code
    newNest.forEach((newName, newBytes) -> {
      String name = renaming.className(newName);
      renamedNest.put(name, newBytes);
      byte[] oldBytes = oldNest.get(name);
      if (oldBytes == null) {
        return;
      }
      ParsedPair read = full.get(newName);
      if (renaming.mayApplyTo(newBytes)) {
        String className = name.replace('/', '.');
        ClassNode newClass = read != null ? read.newClass() : ClassComparer.read(readers, newBytes, "new", className);
        ParsedPair sameName = full.get(name);
        ClassNode oldClass = sameName != null && sameName.oldBytes() == oldBytes ? sameName.oldClass()
            : ClassComparer.read(readers, oldBytes, "old", className);
        renamedPairs.put(name, new ParsedPair(oldBytes, newBytes, oldClass, renaming.apply(newClass)));
      } else if (!Arrays.equals(oldBytes, newBytes)) {
        renamedPairs.put(name, read != null && name.equals(newName) ? read
            : ParsedPair.read(name.replace('/', '.'), oldBytes, newBytes, readers));
      }
    });
    return renamedPairs;
  }

  /** The pairs with every method read in full. */
  private static Map<String, ParsedPair> full(Map<String, ParsedPair> pairs) {
    if (pairs.values().stream().allMatch(p -> p.oldReader() == null)) {
      return pairs;
    }
    Map<String, ParsedPair> full = new HashMap<>();
    pairs.forEach((name, pair) -> full.put(name, pair.full()));
    return full;
  }

  /** The nest's classes as read, reusing what the pairs already read. */
  private static Map<String, ClassNode> nodes(Map<String, byte[]> nest, Map<String, ParsedPair> pairs, boolean old,
      ClassReaders readers) {
    Map<String, ClassNode> nodes = new TreeMap<>();
    nest.forEach((name, bytes) -> {
      ParsedPair pair = pairs.get(name);
      nodes.put(name, pair != null ? (old ? pair.oldClass() : pair.newClass())
          : ClassComparer.read(readers, bytes, old ? "old" : "new", name.replace('/', '.')));
    });
    return nodes;
  }

  /** Reads the classes present in both builds with different bytes, keyed by internal name. */
  private static Map<String, ParsedPair> readPairs(Map<String, byte[]> oldNest, Map<String, byte[]> newNest,
      ClassReaders readers) {
    Map<String, ParsedPair> pairs = new HashMap<>();
    oldNest.forEach((name, oldBytes) -> {
      byte[] newBytes = newNest.get(name);
      if (newBytes != null && !Arrays.equals(oldBytes, newBytes)) {
        pairs.put(name, ParsedPair.read(name.replace('/', '.'), oldBytes, newBytes, readers));
      }
    });
    return pairs;
  }

  private static Map<String, byte[]> covered(Map<String, byte[]> classes, Predicate<String> covered) {
    if (classes.keySet().stream().allMatch(covered)) {
      return classes; // sorted and unmodifiable already
    }
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
