package org.jlivepatch.core.diff;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Which classes a diff covers, as globs on binary class names (e.g. {@code com.example.Foo$Bar}).
 *
 * <p>Glob syntax: {@code *} matches any run of characters other than {@code .} (so it stays within
 * one package level), {@code **} matches any run of characters including {@code .}, {@code ?}
 * matches one character other than {@code .}; every other character, {@code $} included, matches
 * itself. A glob matches the whole name: {@code com.example.*} matches the classes of package
 * {@code com.example}, {@code com.example.**} those of its subpackages too.
 *
 * <p>A class matched by a glob brings its nested classes ({@code Outer$Inner}, {@code Outer$1},
 * ...) with it. A class is covered when the includes are empty or one of them matches, and no
 * exclude matches.
 *
 * <p>Guards the patch author names are methods of the old build, written
 * {@code CLASS#METHOD} (every method of that name) or {@code CLASS#METHOD(DESC)} with a JVM method
 * descriptor, e.g. {@code com.example.Codec#roundTrip(Ljava/lang/String;)Ljava/lang/String;}. The
 * differ adds them to the guards it finds; one the old build lacks is refused.
 *
 * @param includes globs of the classes to cover; empty covers all
 * @param excludes globs of the classes to leave out, applied after the includes
 * @param guards methods the patch author names as guards
 */
public record DiffOptions(List<String> includes, List<String> excludes, List<String> guards) {

  /** Covers every class. */
  public static final DiffOptions ALL = new DiffOptions(List.of(), List.of());

  /**
   * @throws IllegalArgumentException if a glob is empty or a guard is not written as above
   */
  public DiffOptions {
    includes = List.copyOf(includes);
    excludes = List.copyOf(excludes);
    guards = List.copyOf(guards);
    for (String glob : includes) {
      compile(glob);
    }
    for (String glob : excludes) {
      compile(glob);
    }
    for (String guard : guards) {
      GuardSpec.parse(guard);
    }
  }

  /** Options with no named guards. */
  public DiffOptions(List<String> includes, List<String> excludes) {
    this(includes, excludes, List.of());
  }

  /** These options with {@code guards} as the named guards. */
  public DiffOptions withGuards(List<String> guards) {
    return new DiffOptions(includes, excludes, guards);
  }

  /** Whether the diff covers the class with this binary name. */
  public boolean covers(String binaryName) {
    return coverage().test(binaryName);
  }

  /** Returns {@link #covers} with the globs compiled once, for testing many names. */
  public Predicate<String> coverage() {
    if (includes.isEmpty() && excludes.isEmpty()) {
      return name -> true;
    }
    List<Pattern> in = includes.stream().map(DiffOptions::compile).toList();
    List<Pattern> out = excludes.stream().map(DiffOptions::compile).toList();
    return name -> (in.isEmpty() || matchesAny(in, name)) && !matchesAny(out, name);
  }

  private static boolean matchesAny(List<Pattern> patterns, String binaryName) {
    for (Pattern pattern : patterns) {
      // The class itself, or any enclosing class named by cutting at a '$'.
      String name = binaryName;
      while (true) {
        if (pattern.matcher(name).matches()) {
          return true;
        }
        int dollar = name.lastIndexOf('$');
        if (dollar <= name.lastIndexOf('.') + 1) {
          break;
        }
        name = name.substring(0, dollar);
      }
    }
    return false;
  }

  /** Translates a glob into a regular expression following the syntax above. */
  static Pattern compile(String glob) {
    if (glob == null || glob.isEmpty()) {
      throw new IllegalArgumentException("empty class glob");
    }
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        regex.append(".*");
        i++;
      } else if (c == '*') {
        regex.append("[^.]*");
      } else if (c == '?') {
        regex.append("[^.]");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
