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

  @Test
  void aRetiredGenerationIsDroppedWhenDueWithoutAnotherCommand() throws InterruptedException {
    Linker linker = new Linker(200_000_000L);
    assertThat(linker.dropping()).isFalse();
    Generation first = linker.open("apply");
    Generation second = linker.open("revert");
    linker.close(first);
    assertThat(linker.links(first.id())).isTrue(); // the grace period: replaced code may still link it
    assertThat(linker.dropping()).isTrue();
    Thread.sleep(100);
    linker.close(second);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (linker.links(first.id()) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(linker.links(first.id())).isFalse();
    while (linker.links(second.id()) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(linker.links(second.id())).isFalse();
    // Nothing left to wait for: the thread ends.
    while (linker.dropping() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(linker.dropping()).isFalse();
  }
}
