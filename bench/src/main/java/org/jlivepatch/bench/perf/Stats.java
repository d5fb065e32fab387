package org.jlivepatch.bench.perf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Median and spread of repeated measurements. */
final class Stats {

  private Stats() {}

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /** {@code median (min–max, n=N)} with {@code format} for the numbers. */
  static String spread(List<Double> values, String format) {
    return String.format(Locale.ROOT, format + " (" + format + "–" + format + ", n=%d)",
        median(values), min(values), max(values), values.size());
  }

  static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
