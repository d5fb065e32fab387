package org.jlivepatch.agent.rt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Generation ids and slots: what patched classes and hidden classes name a generation by. */
class LinkerTest {

  @Test
  void aClosedGenerationGivesItsSlotBackAfterTheGraceButKeepsItsId() throws InterruptedException {
    Linker linker = new Linker(60_000_000_000L, 50_000_000L);
    Generation first = linker.open("apply fix");
    Generation second = linker.open("apply other");
    assertThat(second.slot()).isNotEqualTo(first.slot());

    linker.close(first);
    Thread.sleep(100);
    Generation again = linker.open("apply fix");

    // Apply/revert cycles keep writing the same keys into the patched class: its constant pool stops growing.
    assertThat(again.slot()).isEqualTo(first.slot());
    assertThat(again.id()).isNotEqualTo(first.id());
    // The hidden classes of first, which name it by id, still link it.
    assertThat(linker.links(first.id())).isTrue();
    linker.close(second);
    linker.close(again);
  }

  @Test
  void droppingAGenerationLaterLeavesItsSlotToTheGenerationHoldingItNow() throws InterruptedException {
    Linker linker = new Linker(200_000_000L, 50_000_000L);
    Generation a = linker.open("apply");
    linker.close(a);
    Thread.sleep(100);
    Generation b = linker.open("revert");
    assertThat(b.slot()).isEqualTo(a.slot());
    awaitDropped(linker, a);
    linker.close(a);

    Generation c = linker.open("apply again");
    assertThat(c.slot()).isNotEqualTo(b.slot());
    assertThat(linker.links(b.slot())).isTrue();
    linker.close(b);
    linker.close(c);
  }

  @Test
  void aClosedGenerationKeepsItsSlotWhileReplacedCodeMayStillLinkIt() {
    Linker linker = new Linker(60_000_000_000L, 60_000_000_000L);
    Generation a = linker.open("apply");
    linker.close(a);
    linker.close(a);
    // A thread stopped by the switch at the entry of a replaced method links its entry call site,
    // keyed by a's slot, after the close: it must still find a, not fail nor find a newer generation.
    assertThat(linker.links(a.slot())).isTrue();
    Generation b = linker.open("revert");
    assertThat(b.slot()).isNotEqualTo(a.slot());
    assertThat(linker.links(a.slot())).isTrue();
    linker.close(b);
  }

  private static void awaitDropped(Linker linker, Generation generation) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (linker.links(generation.id()) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(linker.links(generation.id())).isFalse();
  }

  @Test
  void aRetiredGenerationIsDroppedWhenDueWithoutAnotherCommand() throws InterruptedException {
    Linker linker = new Linker(200_000_000L, 200_000_000L);
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
