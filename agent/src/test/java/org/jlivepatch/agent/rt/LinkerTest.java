package org.jlivepatch.agent.rt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Generation ids and slots: what patched classes and hidden classes name a generation by. */
class LinkerTest {

  @Test
  void aClosedGenerationGivesItsSlotBackButNotItsId() {
    Linker linker = Linker.instance();
    Generation first = linker.open("apply fix");
    Generation second = linker.open("apply other");
    assertThat(second.slot()).isNotEqualTo(first.slot());

    linker.close(first);
    Generation again = linker.open("apply fix");

    // Apply/revert cycles keep writing the same keys into the patched class: its constant pool stops growing.
    assertThat(again.slot()).isEqualTo(first.slot());
    assertThat(again.id()).isNotEqualTo(first.id());
    linker.close(second);
    linker.close(again);
  }

  @Test
  void closingTwiceGivesTheSlotBackOnce() {
    Linker linker = Linker.instance();
    Generation a = linker.open("a");
    linker.close(a);
    Generation b = linker.open("b");
    linker.close(a); // a's slot is b's now: b keeps it
    Generation c = linker.open("c");
    assertThat(c.slot()).isNotEqualTo(b.slot());
    linker.close(b);
    linker.close(c);
  }
}
