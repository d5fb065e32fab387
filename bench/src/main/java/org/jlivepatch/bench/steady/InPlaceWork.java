package org.jlivepatch.bench.steady;

/**
 * {@link Work} in a version the benchmark patches live with jlivepatch before it measures: a
 * per-thread apply switches in {@link DirectWork}'s body, which ends in place (the body spliced
 * into this class, no gate left).
 */
public final class InPlaceWork implements Work {

  @Override
  public int hash(int[] data) {
    int h = 5;
    for (int v : data) {
      h = 13 * h + v;
    }
    return h;
  }
}
