package org.jlivepatch.core.diff;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.Renamed;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.MethodRemapper;
import org.objectweb.asm.commons.Remapper;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Matches the renumbered synthetics of two builds by content: anonymous classes, lambda bodies and
 * accessors.
 *
 * <p>Each candidate's content is compared with the names of all such synthetics replaced by
 * placeholders, so that a lambda calling {@code lambda$run$3} still equals its old self calling
 * {@code lambda$run$2}. Candidates whose content is unique and equal on both sides are matched;
 * the rest of one enclosing method are paired by order when both sides have as many (a changed
 * body), then by equal names. Matching is confined to one nest (a top-level class and the classes
 * named after it), where javac's numbering lives.
 */
final class SyntheticMatcher {

  private static final String ANONYMOUS_PLACEHOLDER = "$jlp$anonymous";
  private static final String METHOD_PLACEHOLDER = "$jlp$synthetic$";

  private final Renaming renaming = new Renaming();
  private final List<Renamed> reports = new ArrayList<>();

  /** The renames to apply to the new build. */
  Renaming renaming() {
    return renaming;
  }

  /** One entry per synthetic whose name differs between the builds. */
  List<Renamed> reports() {
    return reports;
  }

  /**
   * Matches the synthetics of one nest.
   *
   * @param oldNest internal class name to the class as read, of the nest's classes in the old build
   * @param newNest the same for the new build
   */
  void matchNest(Map<String, ClassNode> oldNest, Map<String, ClassNode> newNest) {
    if (!hasSynthetics(oldNest) && !hasSynthetics(newNest)) {
      return;
    }
    Map<String, Parsed> olds = asParsed(oldNest);
    Map<String, Parsed> news = asParsed(newNest);

    Matches classes = match(classCandidates(olds), classCandidates(news));
    Map<String, String> classPairs = new TreeMap<>(); // new internal name -> old internal name
    classes.pairs.forEach((n, o) -> classPairs.put(n.name, o.name));
    for (Map.Entry<String, String> pair : classPairs.entrySet()) {
      if (!pair.getKey().equals(pair.getValue())) {
        renaming.renameClass(pair.getKey(), pair.getValue());
        reports.add(new Renamed(binary(outerOf(pair.getValue())), SyntheticNames.ANONYMOUS_CLASS,
            binary(pair.getValue()), binary(pair.getKey())));
      }
    }
    // An added class whose name the old build gives to another class takes a fresh number, so it can
    // neither pass for that class nor collide with a name the renaming keeps.
    long nextClassNumber = 1 + Math.max(maxAnonymousNumber(olds.keySet()), maxAnonymousNumber(news.keySet()));
    for (Candidate unmatched : classes.unmatchedNew) {
      if (olds.containsKey(unmatched.name)) {
        String fresh = outerOf(unmatched.name) + "$" + nextClassNumber++;
        renaming.renameClass(unmatched.name, fresh);
        reports.add(new Renamed(binary(outerOf(unmatched.name)), SyntheticNames.ANONYMOUS_CLASS, binary(fresh),
            binary(unmatched.name)));
      }
    }
    // Other classes of the nest keep their names.
    for (String name : news.keySet()) {
      if (!SyntheticNames.isAnonymousClass(name) && olds.containsKey(name)) {
        classPairs.put(name, name);
      }
    }
    for (Map.Entry<String, String> pair : classPairs.entrySet()) {
      matchMethods(olds.get(pair.getValue()), news.get(pair.getKey()));
    }
  }

  private void matchMethods(Parsed oldClass, Parsed newClass) {
    Matches methods = match(methodCandidates(oldClass, false), methodCandidates(newClass, true));
    for (Map.Entry<Candidate, Candidate> pair : methods.pairs.entrySet()) {
      Candidate n = pair.getKey();
      Candidate o = pair.getValue();
      if (!n.name.equals(o.name)) {
        renaming.renameMethod(newClass.raw.name, n.name, n.rawDescriptor, o.name);
        reports.add(new Renamed(binary(oldClass.raw.name), n.kind, o.name, n.name));
      }
    }
    // An added synthetic whose name the old class uses (with any descriptor: the renaming may give that
    // name to another method) takes a fresh number above every number either build uses.
    Set<String> oldNames = new HashSet<>();
    oldClass.raw.methods.forEach(m -> oldNames.add(m.name));
    long next = 1 + Math.max(maxMethodNumber(oldClass.raw), maxMethodNumber(newClass.raw));
    for (Candidate unmatched : methods.unmatchedNew) {
      if (oldNames.contains(unmatched.name)) {
        String prefix = unmatched.name.substring(0, unmatched.name.lastIndexOf('$') + 1);
        String fresh = SyntheticNames.ACCESSOR.equals(unmatched.kind) ? prefix + String.format("%03d", next++)
            : prefix + next++;
        renaming.renameMethod(newClass.raw.name, unmatched.name, unmatched.rawDescriptor, fresh);
        reports.add(new Renamed(binary(oldClass.raw.name), unmatched.kind, fresh, unmatched.name));
      }
    }
  }

  private static long maxMethodNumber(ClassNode node) {
    long max = -1;
    for (MethodNode method : node.methods) {
      if (SyntheticNames.methodKind(method.name) != null) {
        max = Math.max(max, SyntheticNames.number(method.name));
      }
    }
    return max;
  }

  private static long maxAnonymousNumber(Set<String> classNames) {
    long max = 0;
    for (String name : classNames) {
      if (SyntheticNames.isAnonymousClass(name)) {
        max = Math.max(max, SyntheticNames.number(name));
      }
    }
    return max;
  }

  private static boolean hasSynthetics(Map<String, ClassNode> nest) {
    for (Map.Entry<String, ClassNode> entry : nest.entrySet()) {
      if (SyntheticNames.isAnonymousClass(entry.getKey())) {
        return true;
      }
      for (MethodNode method : entry.getValue().methods) {
        if (SyntheticNames.methodKind(method.name) != null) {
          return true;
        }
      }
    }
    return false;
  }

  /** Replaces the name of every synthetic class and method by a placeholder. */
  private static final Remapper PLACEHOLDERS = new Remapper(Opcodes.ASM9) {
    @Override
    public String map(String internalName) {
      return SyntheticNames.isAnonymousClass(internalName) ? ANONYMOUS_PLACEHOLDER : internalName;
    }

    @Override
    public String mapMethodName(String owner, String name, String descriptor) {
      String kind = SyntheticNames.methodKind(name);
      return kind == null ? name : METHOD_PLACEHOLDER + kind;
    }
  };

  /**
   * A class as read, and parts of it with every synthetic name replaced by a placeholder: built
   * only for the candidates, since remapping every class of a nest costs as much as reading it.
   */
  private record Parsed(ClassNode raw) {

    /** The whole class with placeholders, as an anonymous class's content needs. */
    ClassNode placeheld() {
      ClassNode placeheld = new ClassNode();
      raw.accept(new ClassRemapper(placeheld, PLACEHOLDERS));
      return placeheld;
    }

    /** One method with placeholders, as {@link #placeheld()} would have it. */
    MethodNode placeheld(MethodNode method) {
      MethodNode placeheld = new MethodNode(Opcodes.ASM9, method.access,
          PLACEHOLDERS.mapMethodName(raw.name, method.name, method.desc), PLACEHOLDERS.mapMethodDesc(method.desc),
          null, null);
      method.accept(new MethodRemapper(placeheld, PLACEHOLDERS));
      return placeheld;
    }
  }

  private static Map<String, Parsed> asParsed(Map<String, ClassNode> nest) {
    Map<String, Parsed> parsed = new TreeMap<>();
    nest.forEach((name, raw) -> parsed.put(name, new Parsed(raw)));
    return parsed;
  }

  /**
   * One synthetic on one side.
   *
   * @param name class or method name as in its build
   * @param kind {@link SyntheticNames#LAMBDA} etc.
   * @param content the text compared across builds, names replaced by placeholders
   * @param group candidates of one group may be paired by order (same enclosing method)
   * @param number javac's number, orders a group
   * @param descriptor method descriptor in old-build class names ("" for classes)
   * @param rawDescriptor method descriptor as in its build
   * @param identity what must be equal for a match by name
   */
  private record Candidate(
      String name, String kind, String content, String group, long number, String descriptor,
      String rawDescriptor, String identity) {}

  private static List<Candidate> classCandidates(Map<String, Parsed> classes) {
    List<Candidate> result = new ArrayList<>();
    classes.forEach((name, parsed) -> {
      if (SyntheticNames.isAnonymousClass(name)) {
        ClassNode raw = parsed.raw;
        String group = (raw.outerClass != null ? raw.outerClass : outerOf(name)) + "." + raw.outerMethod
            + raw.outerMethodDesc;
        result.add(new Candidate(name, SyntheticNames.ANONYMOUS_CLASS, classContent(parsed.placeheld()), group,
            SyntheticNames.number(name), "", "", name));
      }
    });
    return result;
  }

  private List<Candidate> methodCandidates(Parsed parsed, boolean newBuild) {
    List<Candidate> result = new ArrayList<>();
    for (int i = 0; i < parsed.raw.methods.size(); i++) {
      MethodNode raw = parsed.raw.methods.get(i);
      String kind = SyntheticNames.methodKind(raw.name);
      if (kind == null) {
        continue;
      }
      String descriptor = newBuild ? mapClassNames(raw.desc) : raw.desc;
      String group = kind + ":" + SyntheticNames.enclosingMethod(raw.name);
      result.add(new Candidate(raw.name, kind, Fingerprints.canonicalForm(parsed.placeheld(raw)), group,
          SyntheticNames.number(raw.name), descriptor, raw.desc, raw.name + descriptor));
    }
    return result;
  }

  private String mapClassNames(String descriptor) {
    if (renaming.isEmpty()) {
      return descriptor;
    }
    return new Remapper(Opcodes.ASM9) {
      @Override
      public String map(String internalName) {
        return renaming.className(internalName);
      }
    }.mapMethodDesc(descriptor);
  }

  private static String classContent(ClassNode node) {
    StringBuilder text = new StringBuilder(1024);
    text.append(node.access).append(' ').append(node.superName).append(' ').append(node.interfaces)
        .append(' ').append(node.outerClass).append('.').append(node.outerMethod).append(node.outerMethodDesc)
        .append('\n');
    for (FieldNode field : node.fields) {
      text.append(field.access).append(' ').append(field.name).append(':').append(field.desc).append('=')
          .append(field.value).append('\n');
    }
    for (MethodNode method : node.methods) {
      text.append(Fingerprints.canonicalForm(method));
    }
    return text.toString();
  }

  /** Pairs found, new candidate to old, and the new candidates left without a partner. */
  private static final class Matches {
    final Map<Candidate, Candidate> pairs = new LinkedHashMap<>();
    final List<Candidate> unmatchedNew = new ArrayList<>();
  }

  private static Matches match(List<Candidate> olds, List<Candidate> news) {
    Matches matches = new Matches();
    // 1. Unique equal content, per kind.
    Map<String, List<Candidate>> oldByContent = byKey(olds, c -> c.kind + "\n" + c.content);
    Map<String, List<Candidate>> newByContent = byKey(news, c -> c.kind + "\n" + c.content);
    Set<Candidate> matchedOld = new HashSet<>();
    for (Map.Entry<String, List<Candidate>> entry : newByContent.entrySet()) {
      List<Candidate> same = oldByContent.get(entry.getKey());
      if (entry.getValue().size() == 1 && same != null && same.size() == 1
          && same.get(0).descriptor.equals(entry.getValue().get(0).descriptor)) {
        matches.pairs.put(entry.getValue().get(0), same.get(0));
        matchedOld.add(same.get(0));
      }
    }
    // 2. The rest of one enclosing method, by order, when both sides have as many.
    List<Candidate> oldRest = olds.stream().filter(c -> !matchedOld.contains(c)).toList();
    List<Candidate> newRest = news.stream().filter(c -> !matches.pairs.containsKey(c)).toList();
    Map<String, List<Candidate>> oldGroups = byKey(oldRest, c -> c.kind + "\n" + c.group);
    Map<String, List<Candidate>> newGroups = byKey(newRest, c -> c.kind + "\n" + c.group);
    Comparator<Candidate> byNumber = Comparator.comparingLong(Candidate::number).thenComparing(Candidate::name);
    for (Map.Entry<String, List<Candidate>> entry : newGroups.entrySet()) {
      List<Candidate> oldGroup = oldGroups.get(entry.getKey());
      List<Candidate> newGroup = new ArrayList<>(entry.getValue());
      if (oldGroup == null || oldGroup.size() != newGroup.size()) {
        continue;
      }
      oldGroup = new ArrayList<>(oldGroup);
      oldGroup.sort(byNumber);
      newGroup.sort(byNumber);
      boolean sameShapes = true;
      for (int i = 0; i < newGroup.size(); i++) {
        sameShapes &= newGroup.get(i).descriptor.equals(oldGroup.get(i).descriptor);
      }
      if (sameShapes) {
        for (int i = 0; i < newGroup.size(); i++) {
          matches.pairs.put(newGroup.get(i), oldGroup.get(i));
          matchedOld.add(oldGroup.get(i));
        }
      }
    }
    // 3. Equal names.
    Map<String, Candidate> oldByIdentity = new HashMap<>();
    olds.stream().filter(c -> !matchedOld.contains(c)).forEach(c -> oldByIdentity.put(c.identity, c));
    for (Candidate candidate : news) {
      if (matches.pairs.containsKey(candidate)) {
        continue;
      }
      Candidate same = oldByIdentity.remove(candidate.identity);
      if (same != null) {
        matches.pairs.put(candidate, same);
      } else {
        matches.unmatchedNew.add(candidate);
      }
    }
    return matches;
  }

  private static Map<String, List<Candidate>> byKey(
      List<Candidate> candidates, java.util.function.Function<Candidate, String> key) {
    Map<String, List<Candidate>> result = new TreeMap<>();
    for (Candidate candidate : candidates) {
      result.computeIfAbsent(key.apply(candidate), k -> new ArrayList<>()).add(candidate);
    }
    return result;
  }

  /** {@code a/Outer} for {@code a/Outer$1}. */
  private static String outerOf(String anonymousClass) {
    return anonymousClass.substring(0, anonymousClass.lastIndexOf('$'));
  }

  private static String binary(String internalName) {
    return internalName.replace('/', '.');
  }
}
