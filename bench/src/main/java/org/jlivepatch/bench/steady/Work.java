package org.jlivepatch.bench.steady;

/** The steady-state workload: a hash over an int array, a loop the JIT compiles and unrolls. */
public interface Work {

  /** The hash of {@code data}. */
  int hash(int[] data);
}
