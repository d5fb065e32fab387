package org.jlivepatch.core.trampoline;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jlivepatch.core.testing.InMemoryCompiler;

/** Two versions of a small program, compiled at test time; v2 is the fix. */
final class Fixtures {

  private Fixtures() {}

  static final String CALC_V1 = String.join("\n",
      "package fx;",
      "import java.util.function.Function;",
      "import java.util.function.Supplier;",
      "public class Calc {",
      "  private int base;",
      "  private static int made;",
      "  private int count;",
      "  public Calc(int base) { this.base = base; made++; }",
      "  public String mixed() { Supplier<String> s = () -> \"m\" + base; return s.get(); }",
      "  public int scale(int x) { return x * 2; }",
      "  public String label(int x) { return \"v1:\" + x; }",
      "  private int twice(int x) { return 2 * x; }",
      "  public int withHelper(int x) { return x; }",
      "  public static String version() { return \"1\"; }",
      "  public String viaLambda(String s) { return s; }",
      "  public double mix(long a, double b, int c) { return a + b + c; }",
      "  public static double smix(long a, double b, int c) { return a + b + c; }",
      "  public synchronized int bump() { return -2; }",
      "  public int hit() { return 0; }",
      "  public static long total() { return 0; }",
      "  public String unchanged() { return \"same\"; }",
      "}",
      "");

  static final String CALC_V2 = String.join("\n",
      "package fx;",
      "import java.util.function.Function;",
      "import java.util.function.Supplier;",
      "public class Calc {",
      "  private int base;",
      "  private static int made;",
      "  private int count;",
      "  private int hits;",
      "  private static long total;",
      "  public Calc(int base) { this.base = base; made++; }",
      "  public String mixed() { Supplier<String> s = () -> \"m\" + base; return s.get() + tag(); }",
      "  public int scale(int x) { return x * 3; }",
      "  public String label(int x) { return tag() + \":\" + base + \":\" + twice(x) + \":\" + made; }",
      "  private int twice(int x) { return 2 * x; }",
      "  public int withHelper(int x) { return addBase(x) + 1; }",
      "  private int addBase(int x) { return x + base; }",
      "  static String tag() { return \"v2\"; }",
      "  public static String version() { return tag() + \"/\" + made; }",
      "  public String viaLambda(String s) {",
      "    Function<String, String> f = t -> t + \"!\";",
      "    Supplier<String> g = () -> s + s.length();",
      "    Supplier<String> h = () -> s + base;",
      "    return f.apply(s) + g.get() + h.get();",
      "  }",
      "  public double mix(long a, double b, int c) { return weigh(a, b) + c + base; }",
      "  private static double weigh(long a, double b) { return a * b; }",
      "  public static double smix(long a, double b, int c) { return weigh(a, b) - c; }",
      "  public synchronized int bump() { return Thread.holdsLock(this) ? addCount(1) : -1; }",
      "  private int addCount(int d) { count += d; return count; }",
      "  public int hit() { hits++; total++; return hits; }",
      "  public static long total() { return total; }",
      "  public String unchanged() { return \"same\"; }",
      "}",
      "");

  static final String GREETER_V1 = String.join("\n",
      "package fx;",
      "public interface Greeter {",
      "  String name();",
      "  default String greet(String who) { return \"hi \" + who + tag(); }",
      "  private String tag() { return \".\"; }",
      "}",
      "");

  static final String GREETER_V2 = String.join("\n",
      "package fx;",
      "public interface Greeter {",
      "  String name();",
      "  default String greet(String who) { return decorate(\"hello \" + who) + tag() + name(); }",
      "  private String tag() { return \".\"; }",
      "  private String decorate(String s) { return \"[\" + s + \"]\"; }",
      "}",
      "");

  static final String PERSON = String.join("\n",
      "package fx;",
      "public class Person implements Greeter {",
      "  public String name() { return \"P\"; }",
      "}",
      "");

  static final String BAD_V1 = String.join("\n",
      "package fx;",
      "public class Bad {",
      "  static int s;",
      "  static { s = 1; }",
      "  int v;",
      "  public Bad() { v = 1; }",
      "  public String toString() { return \"a\"; }",
      "  public int other() { return 1; }",
      "  public native int nat();",
      "}",
      "");

  static final String BAD_V2 = String.join("\n",
      "package fx;",
      "public class Bad {",
      "  static int s;",
      "  static { s = 2; }",
      "  int v;",
      "  public Bad() { v = 2; }",
      "  public String toString() { return \"x\" + super.toString(); }",
      "  public int other() { return Util.added(); }",
      "  public native int nat();",
      "}",
      "");

  static final String CLASH_V1 = String.join("\n",
      "package fx;",
      "public class Clash {",
      "  int k = 1;",
      "  public int m(int x) { return x; }",
      "  public static int m(Clash c, int x) { return -x; }",
      "}",
      "");

  static final String CLASH_V2 = String.join("\n",
      "package fx;",
      "public class Clash {",
      "  int k = 1;",
      "  public int m(int x) { return x + k + 100; }",
      "  public static int m(Clash c, int x) { return -x - 100; }",
      "}",
      "");

  static final String UTIL_V1 = "package fx;\nclass Util {}\n";
  static final String UTIL_V2 = "package fx;\nclass Util { static int added() { return 5; } }\n";

  private static final Map<String, Map<String, byte[]>> COMPILED = new ConcurrentHashMap<>();

  /** Version 1 or 2 of every fixture class, compiled for {@code release}, by binary name. */
  static Map<String, byte[]> version(int version, String release) {
    return COMPILED.computeIfAbsent(version + "/" + release, k -> {
      boolean modern = Integer.parseInt(release) >= 9;
      Map<String, String> sources = new java.util.HashMap<>();
      sources.put("fx.Calc", version == 1 ? CALC_V1 : CALC_V2);
      sources.put("fx.Bad", version == 1 ? BAD_V1 : BAD_V2);
      sources.put("fx.Util", version == 1 ? UTIL_V1 : UTIL_V2);
      sources.put("fx.Clash", version == 1 ? CLASH_V1 : CLASH_V2);
      if (modern) {
        sources.put("fx.Greeter", version == 1 ? GREETER_V1 : GREETER_V2);
        sources.put("fx.Person", PERSON);
      }
      return InMemoryCompiler.compile(sources, "--release", release, "-g", "-Xlint:-options");
    });
  }

  static Map<String, byte[]> v1() {
    return version(1, "17");
  }

  static Map<String, byte[]> v2() {
    return version(2, "17");
  }
}
