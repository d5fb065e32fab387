package org.jlivepatch.bench.steady;

/**
 * The code {@link TrampolineWork} gets from its patch, loaded directly: {@code hash} calls a
 * private helper that reads a private field.
 */
public final class DirectTrampolineWork implements Work {

  private final int shift = 3;

  @Override
  public int hash(int[] data) {
    int h = 1;
    for (int v : data) {
      h = 31 * h + mix(v);
    }
    return h;
  }

  private int mix(int v) {
    return v ^ (v >>> shift);
  }
}
