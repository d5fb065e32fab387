package org.jlivepatch.core.source;

import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.Chunk;
import com.github.difflib.patch.Patch;
import com.github.difflib.patch.PatchFailedException;
import com.github.difflib.unifieddiff.UnifiedDiff;
import com.github.difflib.unifieddiff.UnifiedDiffFile;
import com.github.difflib.unifieddiff.UnifiedDiffReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Applies a unified diff, as {@code git diff} or {@code diff -u} writes it, to sources held in
 * memory.
 *
 * <p>A file named in the diff is found among the sources by path: the diff's path (without git's
 * {@code a/} and {@code b/}) and the source's path must be equal, or one must end with
 * {@code /} followed by the other, so a diff made in a project ({@code src/main/java/com/x/Foo.java})
 * applies to the files of a {@code -sources} jar ({@code com/x/Foo.java}). Hunks may have moved
 * by a few lines, as {@code patch} allows, but their context must match exactly.
 */
public final class SourceDiff {

  private static final String DEV_NULL = "/dev/null";

  private SourceDiff() {}

  /**
   * Applies {@code diff} to {@code sources}.
   *
   * @param sources source path (e.g. {@code com/x/Foo.java}) to text
   * @param diff the unified diff's text
   * @return the patched text of every file the diff touches, keyed by the path in {@code sources}
   *     (a file the diff creates under the diff's path), in path order
   * @throws DiffNotApplicableException if the diff is unreadable or empty, deletes a file, names a
   *     file that is not among the sources (or more than one), or a hunk does not apply; the
   *     message names the file and the hunk
   */
  public static Map<String, String> apply(Map<String, String> sources, String diff) throws DiffNotApplicableException {
    Objects.requireNonNull(sources, "sources");
    UnifiedDiff parsed;
    try {
      parsed = UnifiedDiffReader.parseUnifiedDiff(new ByteArrayInputStream(diff.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException | RuntimeException e) {
      throw new DiffNotApplicableException("", "", "not a readable unified diff: " + e.getMessage());
    }
    List<UnifiedDiffFile> files = parsed.getFiles();
    if (files.isEmpty() || files.stream().allMatch(f -> f.getPatch().getDeltas().isEmpty())) {
      throw new DiffNotApplicableException("", "", "the diff changes no file (is it a unified diff, as 'git diff' or 'diff -u' writes?)");
    }
    Map<String, String> patched = new TreeMap<>();
    for (UnifiedDiffFile file : files) {
      String from = stripPrefix(file.getFromFile());
      String to = stripPrefix(file.getToFile());
      if (DEV_NULL.equals(to)) {
        throw new DiffNotApplicableException(from, "", "the diff deletes " + from
            + ": a live patch cannot remove classes; leave the file in place");
      }
      String path;
      List<String> original;
      if (from == null || DEV_NULL.equals(from)) {
        path = to;
        if (find(sources, to) != null) {
          throw new DiffNotApplicableException(to, "", "the diff creates " + to + ", which the sources already have");
        }
        original = List.of();
      } else {
        path = find(sources, from);
        if (path == null) {
          throw new DiffNotApplicableException(from, "", "the diff changes " + from + ", which is not among the sources");
        }
        original = lines(patched.containsKey(path) ? patched.get(path) : sources.get(path));
      }
      patched.put(path, String.join("\n", applyTo(path, original, file.getPatch())) + "\n");
    }
    return patched;
  }

  private static List<String> applyTo(String path, List<String> original, Patch<String> patch)
      throws DiffNotApplicableException {
    try {
      return patch.applyTo(original);
    } catch (PatchFailedException | RuntimeException e) {
      // Name the first hunk that does not apply on its own: that is the one to look at.
      List<AbstractDelta<String>> deltas = patch.getDeltas();
      for (int i = 0; i < deltas.size(); i++) {
        Patch<String> single = new Patch<>();
        single.addDelta(deltas.get(i));
        try {
          single.applyTo(original);
        } catch (PatchFailedException | RuntimeException failed) {
          throw notApplicable(path, deltas.get(i), i, deltas.size());
        }
      }
      throw new DiffNotApplicableException(path, "", "the diff does not apply to " + path
          + ": its hunks overlap or conflict: " + e.getMessage());
    }
  }

  private static DiffNotApplicableException notApplicable(String path, AbstractDelta<String> delta, int index, int count) {
    Chunk<String> source = delta.getSource();
    Chunk<String> target = delta.getTarget();
    String header = "@@ -" + (source.getPosition() + 1) + "," + source.size() + " +" + (target.getPosition() + 1) + ","
        + target.size() + " @@";
    String expected = source.getLines().isEmpty() ? "" : ": expected '" + source.getLines().get(0).strip() + "'";
    return new DiffNotApplicableException(path, header, "the diff does not apply to " + path + ": hunk " + (index + 1)
        + " of " + count + " (" + header + ") does not match the source" + expected
        + " near line " + (source.getPosition() + 1) + " (is the diff made against these sources?)");
  }

  /** Finds the source path a diff path names: equal, or one ending with {@code /} and the other. */
  private static String find(Map<String, String> sources, String diffPath) throws DiffNotApplicableException {
    List<String> found = locate(sources.keySet(), diffPath);
    if (found.isEmpty() && (diffPath.startsWith("a/") || diffPath.startsWith("b/"))) {
      // git's a/ and b/, where the diff reader left them
      found = locate(sources.keySet(), diffPath.substring(2));
    }
    if (found.size() > 1) {
      throw new DiffNotApplicableException(diffPath, "", "the diff's " + diffPath + " matches several sources: "
          + found + "; give the path in full");
    }
    return found.isEmpty() ? null : found.get(0);
  }

  /**
   * The source paths that a path names: the equal one if there is one, else each path that ends
   * with {@code /} and the other, or that the other ends with after a {@code /}.
   *
   * @param sourcePaths the paths of the sources, e.g. {@code com/x/Foo.java}
   * @param path a path as a diff or a directory of patched files gives it
   */
  public static List<String> locate(Collection<String> sourcePaths, String path) {
    if (sourcePaths.contains(path)) {
      return List.of(path);
    }
    List<String> found = new ArrayList<>();
    for (String candidate : sourcePaths) {
      if (path.endsWith("/" + candidate) || candidate.endsWith("/" + path)) {
        found.add(candidate);
      }
    }
    return found;
  }

  /** Strips a timestamp and leading {@code ./}; null stays null. */
  private static String stripPrefix(String path) {
    if (path == null) {
      return null;
    }
    String name = path.strip();
    int tab = name.indexOf('\t');
    if (tab >= 0) {
      name = name.substring(0, tab);
    }
    while (name.startsWith("./")) {
      name = name.substring(2);
    }
    return name;
  }

  /** Splits a text into lines without their terminators, as the diff's lines are. */
  static List<String> lines(String text) {
    List<String> lines = new ArrayList<>(List.of(text.split("\r?\n", -1)));
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    return lines;
  }
}
