package org.jlivepatch.core.payload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.util.Optional;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.junit.jupiter.api.Test;

class PayloadRoundTripTest {

  private static Payload read(byte[] file) throws Exception {
    return new PayloadReader(PayloadLimits.DEFAULT).read(new ByteArrayInputStream(file));
  }

  @Test
  void readsBackWhatWasWritten() throws Exception {
    Patch patch = PayloadFixtures.patch("fix-2", Optional.of("fix-1"));
    byte[] file = PayloadFixtures.write(patch, Optional.empty());

    Payload payload = read(file);

    Patch back = payload.patch();
    assertThat(back.id()).isEqualTo("fix-2");
    assertThat(back.depends()).contains("fix-1");
    assertThat(back.description()).isEqualTo(patch.description());
    assertThat(back.toolVersion()).isEqualTo("0.1.0-test");
    assertThat(back.oldBuild()).isEqualTo(patch.oldBuild());
    assertThat(back.newBuild()).isEqualTo(patch.newBuild());
    assertThat(back.minJavaVersion()).isEqualTo(17);
    assertThat(back.warnings()).isEqualTo(patch.warnings());
    assertThat(back.ignored()).isEqualTo(patch.ignored());
    assertThat(back.renamed()).isEqualTo(patch.renamed());
    assertThat(back.classes()).hasSize(2);
    for (PatchedClass c : patch.classes()) {
      PatchedClass r = back.patchedClass(c.name()).orElseThrow();
      assertThat(r.methods()).isEqualTo(c.methods());
      assertThat(r.baseBytes()).isEqualTo(c.baseBytes());
      assertThat(r.newBytes()).isEqualTo(c.newBytes());
    }
    assertThat(back.hooks()).singleElement().satisfies(h -> {
      assertThat(h.name()).isEqualTo("demo.hooks.Hook");
      assertThat(h.entryPoint()).isTrue();
      assertThat(h.bytes()).isEqualTo(patch.hooks().get(0).bytes());
    });
    assertThat(payload.signature()).isEmpty();
    assertThat(payload.contentHash()).matches("[0-9a-f]{64}");
    // Writing what was read gives the same file: the manifest is canonical.
    assertThat(PayloadFixtures.write(back, Optional.empty())).isEqualTo(file);
  }

  @Test
  void samePatchGivesSameBytes() {
    byte[] first = PayloadFixtures.write(PayloadFixtures.patch(), Optional.empty());
    byte[] second = PayloadFixtures.write(PayloadFixtures.patch(), Optional.empty());
    assertThat(second).isEqualTo(first);
  }
}
