package org.jlivepatch.bench;

import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link DiffBenchmark} and prints, per pair of jars, classes per second for the differ and for
 * the parse floor, and their ratio. Takes JMH's command-line options (e.g. {@code -wi 2 -i 3 -f 1}).
 */
public final class DiffBench {

  private DiffBench() {}

  /** Runs the benchmark and prints the summary. */
  public static void main(String[] args) throws RunnerException, CommandLineOptionException, java.io.IOException {
    CommandLineOptions commandLine = new CommandLineOptions(args);
    OptionsBuilder options = new OptionsBuilder();
    options.parent(commandLine).include(DiffBenchmark.class.getName());
    String jars = System.getProperty(DiffBenchmark.JARS_PROPERTY);
    if (jars != null) {
      options.jvmArgsAppend("-D" + DiffBenchmark.JARS_PROPERTY + "=" + jars); // forks do not inherit it
    }
    Collection<RunResult> results = new Runner(options.build()).run();
    for (String pair : new String[] {"major", "patch"}) {
      DiffBenchmark sizes = new DiffBenchmark();
      sizes.pair = pair;
      sizes.readJars();
      int classes = sizes.classCount();
      double diffMs = Double.NaN;
      double parseMs = Double.NaN;
      for (RunResult result : results) {
        if (!pair.equals(result.getParams().getParam("pair"))) {
          continue;
        }
        String label = result.getParams().getBenchmark();
        double ms = result.getPrimaryResult().getScore();
        if (label.endsWith(".diff")) {
          diffMs = ms;
        } else if (label.endsWith(".parse")) {
          parseMs = ms;
        }
      }
      System.out.printf("%n%s pair (%s): classes in both jars: %d, %d of the old differ%n", pair, sizes.versions(),
          classes, sizes.differingClasses());
      System.out.printf("diff : %8.1f ms/op  %,10.0f classes/s%n", diffMs, classes / diffMs * 1000);
      System.out.printf("parse: %8.1f ms/op  %,10.0f classes/s (floor)%n", parseMs, classes / parseMs * 1000);
      System.out.printf("diff / parse = %.2f (target: at most about 2)%n", diffMs / parseMs);
    }
  }
}
