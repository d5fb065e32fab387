package org.jlivepatch.core.diff;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises the names javac numbers as it goes: lambda bodies ({@code lambda$run$0}), accessors
 * for private members before nestmates ({@code access$000}) and anonymous classes, including the
 * {@code $SwitchMap$} holders ({@code Outer$1}). Such names shift when code is added above them,
 * so the differ matches them by content rather than by name.
 */
final class SyntheticNames {

  static final String LAMBDA = "lambda";
  static final String ACCESSOR = "accessor";
  static final String ANONYMOUS_CLASS = "anonymous class";

  /** javac: {@code lambda$<method>$<n>}; Eclipse: {@code lambda$<n>}. */
  private static final Pattern LAMBDA_NAME = Pattern.compile("lambda\\$(?:(.*)\\$)?(\\d+)");
  private static final Pattern ACCESSOR_NAME = Pattern.compile("access\\$(\\d+)");

  private SyntheticNames() {}

  /** Returns {@link #LAMBDA}, {@link #ACCESSOR} or null for a method name. */
  static String methodKind(String methodName) {
    if (methodName.startsWith("lambda$") && LAMBDA_NAME.matcher(methodName).matches()) {
      return LAMBDA;
    }
    if (methodName.startsWith("access$") && ACCESSOR_NAME.matcher(methodName).matches()) {
      return ACCESSOR;
    }
    return null;
  }

  /** Whether a class name (internal or binary form) names an anonymous class: {@code Outer$<digits>}. */
  static boolean isAnonymousClass(String className) {
    int dollar = className.lastIndexOf('$');
    if (dollar <= 0 || dollar == className.length() - 1) {
      return false;
    }
    for (int i = dollar + 1; i < className.length(); i++) {
      char c = className.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** The number javac gave a synthetic method or anonymous class; -1 if it has none. */
  static long number(String name) {
    int end = name.length();
    int start = end;
    while (start > 0 && Character.isDigit(name.charAt(start - 1))) {
      start--;
    }
    if (start == end || end - start > 18) {
      return -1;
    }
    return Long.parseLong(name.substring(start, end));
  }

  /** For a lambda body, the name of the method its source appears in ({@code run} for {@code lambda$run$0}); else "". */
  static String enclosingMethod(String methodName) {
    Matcher matcher = LAMBDA_NAME.matcher(methodName);
    if (matcher.matches() && matcher.group(1) != null) {
      return matcher.group(1);
    }
    return "";
  }

  /**
   * The class whose nest a class belongs to as far as its name tells: the name up to the first
   * {@code $} of its simple name ({@code a/b/Outer} for {@code a/b/Outer$1$Inner}).
   */
  static String topLevel(String className) {
    int simpleStart = Math.max(className.lastIndexOf('/'), className.lastIndexOf('.')) + 1;
    int dollar = className.indexOf('$', simpleStart + 1);
    return dollar < 0 ? className : className.substring(0, dollar);
  }
}
