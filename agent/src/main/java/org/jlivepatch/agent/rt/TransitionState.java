package org.jlivepatch.agent.rt;

/** Where a {@link Transition} is; {@link #label()} is the word the agent protocol uses. */
public enum TransitionState {

  /** Created, gates may be installed, not started: every gate answers "old". */
  PREPARED("prepared"),
  /** Threads move to the new code as their stacks allow. */
  RUNNING("running"),
  /** The timeout passed (or a reversal was asked for): threads move back to the old code. */
  REVERSING("reversing"),
  /** Every live thread runs the new code; every gate answers "new" from now on. */
  COMPLETED("completed"),
  /** Every live thread runs the old code again; every gate answers "old" from now on. */
  REVERSED("reversed"),
  /** Finished at the new code with threads still in old code (the stragglers); every gate answers "new". */
  FORCED("forced");

  private final String label;

  TransitionState(String label) {
    this.label = label;
  }

  /** The protocol word: prepared, running, reversing, completed, reversed or forced. */
  public String label() {
    return label;
  }

  /** True once the gates answer a constant: completed, reversed or forced. */
  public boolean finished() {
    return this == COMPLETED || this == REVERSED || this == FORCED;
  }
}
