package org.jlivepatch.core.payload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Optional;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.Guard;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.model.ShadowField;
import org.jlivepatch.core.payload.PayloadFormat.Entry;
import org.junit.jupiter.api.Test;

/** Format version 2 carries kinds, shadow fields, added classes and guards; version 1 payloads still read. */
class TrampolinePayloadTest {

  private static Payload read(byte[] file) throws Exception {
    return new PayloadReader(PayloadLimits.DEFAULT).read(new ByteArrayInputStream(file));
  }

  @Test
  void roundTripsTrampolinesShadowFieldsAddedClassesAndGuards() throws Exception {
    Patch patch = PayloadFixtures.trampolinePatch();
    byte[] file = PayloadFixtures.write(patch, Optional.empty());

    Payload payload = read(file);

    assertThat(payload.formatVersion()).isEqualTo(2);
    Patch back = payload.patch();
    PatchedClass codec = back.classes().get(0);
    assertThat(codec.methods()).extracting(PatchedMethod::name, PatchedMethod::kind).containsExactly(
        org.assertj.core.groups.Tuple.tuple("encode", ChangeKind.TRAMPOLINE),
        org.assertj.core.groups.Tuple.tuple("decode", ChangeKind.IN_PLACE),
        org.assertj.core.groups.Tuple.tuple("check", ChangeKind.ADDED),
        org.assertj.core.groups.Tuple.tuple("lambda$encode$0", ChangeKind.ADDED));
    assertThat(codec.methods()).isEqualTo(patch.classes().get(0).methods());
    assertThat(codec.shadowFields()).containsExactly(new ShadowField("depth", "I", false),
        new ShadowField("calls", "I", true));
    assertThat(codec.newBytes()).isEqualTo(patch.classes().get(0).newBytes());
    assertThat(back.addedClasses()).singleElement().satisfies(a -> {
      assertThat(a.name()).isEqualTo("demo.Brackets");
      assertThat(a.host()).isEqualTo("demo.Codec");
      assertThat(a.bytes()).isEqualTo(patch.addedClasses().get(0).bytes());
    });
    assertThat(back.guards()).containsExactly(new Guard("demo.Client", "roundTrip",
        "(Ldemo/Codec;Ljava/lang/String;)Ljava/lang/String;", "calls demo.Codec.encode(Ljava/lang/String;)"
            + "Ljava/lang/String; and demo.Codec.decode(Ljava/lang/String;)Ljava/lang/String;"));
    assertThat(Zips.entries(file)).extracting(Entry::name).containsExactly("manifest.properties",
        "base/demo/Codec.class", "new/demo/Codec.class", "added/demo/Brackets.class");
    // Canonical: what was read writes back to the same bytes.
    assertThat(PayloadFixtures.write(back, Optional.empty())).isEqualTo(file);
  }

  @Test
  void signsAddedClassesThroughTheManifest() throws Exception {
    java.security.KeyPair keys = Signing.generateKeyPair();
    byte[] file = PayloadFixtures.write(PayloadFixtures.trampolinePatch(), Optional.of(keys.getPrivate()));
    String manifest = new String(Zips.data(Zips.entries(file), PayloadFormat.MANIFEST),
        java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(manifest).contains("entry.added/demo/Brackets.class=");
    Payload payload = read(file);
    assertThat(payload.signature()).isPresent();
    new TrustedKeys(List.of(keys.getPublic())).verify(payload);
  }

  @Test
  void readsAFormatVersion1Payload() throws Exception {
    // Version 1 is version 2 without the shadow, added and guard keys.
    List<Entry> entries = Zips.entries(PayloadFixtures.unsigned());
    Zips.editManifest(entries, m -> {
      m.put("format.version", "1");
      m.keySet().removeIf(k -> k.startsWith("added.") || k.startsWith("guard.") || k.contains(".shadow."));
    });
    byte[] v1 = Zips.zip(entries);

    Payload payload = read(v1);

    assertThat(payload.formatVersion()).isEqualTo(1);
    Patch expected = PayloadFixtures.patch();
    assertThat(payload.patch().classes()).hasSize(2);
    assertThat(payload.patch().classes().get(0).methods()).isEqualTo(expected.classes().get(0).methods());
    assertThat(payload.patch().addedClasses()).isEmpty();
    assertThat(payload.patch().guards()).isEmpty();
    assertThat(payload.patch().needsTrampolines()).isFalse();
  }
}
