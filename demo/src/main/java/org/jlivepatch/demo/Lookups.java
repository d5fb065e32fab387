package org.jlivepatch.demo;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands {@code ${env:NAME}} and {@code ${sys:NAME}} lookups in text, like a logging library's
 * message lookups. Fine on templates an operator wrote; a leak when applied to what a client sent.
 */
public final class Lookups {

  private static final Pattern LOOKUP = Pattern.compile("\\$\\{(env|sys):([A-Za-z0-9_.]+)}");

  private Lookups() {}

  /** Returns {@code text} with every lookup replaced by its value (empty when unset). */
  public static String expand(String text) {
    Matcher matcher = LOOKUP.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value = matcher.group(1).equals("env")
          ? System.getenv(matcher.group(2))
          : System.getProperty(matcher.group(2));
      matcher.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
