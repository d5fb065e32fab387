package org.jlivepatch.bench.steady;

/**
 * {@link Work} in a version the benchmark patches live with jlivepatch before it measures, with
 * {@link DirectTrampolineWork}'s code: its {@code hash} calls a helper this version lacks, so
 * after the per-thread apply {@code hash} is an entry redirect into a hidden class that holds the
 * new body and the added helper.
 */
public final class TrampolineWork implements Work {

  private final int shift = 3;

  @Override
  public int hash(int[] data) {
    int h = 3;
    for (int v : data) {
      h = 11 * h + (v >>> shift);
    }
    return h;
  }
}
