package org.jlivepatch.bench.steady;

/**
 * {@link Work} in a version the benchmark replaces before it measures: its class file holds a
 * different body, and {@code redefineClasses} switches in {@link DirectWork}'s bytecode.
 */
public final class PatchedWork implements Work {

  @Override
  public int hash(int[] data) {
    int h = 7;
    for (int v : data) {
      h = 17 * h + v;
    }
    return h;
  }
}
