package org.jlivepatch.core.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jlivepatch.core.payload.PayloadException.Reason.BAD_SIGNATURE;
import static org.jlivepatch.core.payload.PayloadException.Reason.UNSIGNED;
import static org.jlivepatch.core.payload.PayloadException.Reason.UNTRUSTED;

import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jlivepatch.core.payload.PayloadException.Reason;
import org.jlivepatch.core.payload.PayloadFormat.Entry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SigningTest {

  private static KeyPair alice;
  private static KeyPair mallory;
  private static byte[] signedByAlice;

  @BeforeAll
  static void setUp() {
    alice = Signing.generateKeyPair();
    mallory = Signing.generateKeyPair();
    signedByAlice = PayloadFixtures.write(PayloadFixtures.patch(), Optional.of(alice.getPrivate()));
  }

  private static Payload read(byte[] file) throws PayloadException {
    return new PayloadReader(PayloadLimits.DEFAULT).read(file);
  }

  private static TrustedKeys trusting(PublicKey... keys) {
    return new TrustedKeys(List.of(keys));
  }

  private static void assertVerifyFails(byte[] file, TrustedKeys trust, Reason reason, String message) {
    assertThatThrownBy(() -> trust.verify(read(file)))
        .isInstanceOf(PayloadException.class)
        .hasMessage(message)
        .satisfies(e -> assertThat(((PayloadException) e).reason()).isEqualTo(reason));
  }

  @Test
  void verifiesASignedPayloadAgainstItsKey() throws Exception {
    Payload payload = read(signedByAlice);
    String keyId = Signing.keyId(alice.getPublic());
    assertThat(payload.signature()).hasValueSatisfying(s -> assertThat(s.keyId()).isEqualTo(keyId));
    assertThat(trusting(mallory.getPublic(), alice.getPublic()).verify(payload)).isEqualTo(keyId);
  }

  @Test
  void signingIsDeterministicAndSigningLaterGivesTheSameFile() throws Exception {
    assertThat(PayloadFixtures.write(PayloadFixtures.patch(), Optional.of(alice.getPrivate()))).isEqualTo(signedByAlice);
    assertThat(Signing.sign(PayloadFixtures.unsigned(), alice.getPrivate())).isEqualTo(signedByAlice);
  }

  @Test
  void signingReplacesAnExistingSignature() throws Exception {
    byte[] resigned = Signing.sign(signedByAlice, mallory.getPrivate());
    Payload payload = read(resigned);
    assertThat(payload.contentHash()).isEqualTo(read(signedByAlice).contentHash());
    assertThat(trusting(mallory.getPublic()).verify(payload)).isEqualTo(Signing.keyId(mallory.getPublic()));
    assertVerifyFails(resigned, trusting(alice.getPublic()), UNTRUSTED, "payload fix-1 is signed by key "
        + Signing.keyId(mallory.getPublic()) + ", which is not trusted");
  }

  @Test
  void refusesAPayloadSignedByAnotherKey() {
    assertVerifyFails(signedByAlice, trusting(mallory.getPublic()), UNTRUSTED, "payload fix-1 is signed by key "
        + Signing.keyId(alice.getPublic()) + ", which is not trusted");
  }

  @Test
  void refusesAnUnsignedPayloadWhenKeysAreTrusted() {
    assertVerifyFails(PayloadFixtures.unsigned(), trusting(alice.getPublic()), UNSIGNED, "payload fix-1 is not signed");
  }

  @Test
  void detectsAManifestEditedAfterSigning() {
    List<Entry> entries = Zips.entries(signedByAlice);
    Zips.editManifest(entries, m -> m.put("description", "harmless, trust me"));
    assertVerifyFails(Zips.zip(entries), trusting(alice.getPublic()), BAD_SIGNATURE, "payload fix-1: the signature "
        + "does not verify against trusted key " + Signing.keyId(alice.getPublic()) + " (content changed after signing?)");
  }

  @Test
  void detectsASignatureMadeByAnotherKeyUnderATrustedKeyId() throws Exception {
    List<Entry> entries = Zips.entries(Signing.sign(signedByAlice, mallory.getPrivate()));
    String signature = new String(Zips.data(entries, PayloadFormat.SIGNATURE), java.nio.charset.StandardCharsets.US_ASCII);
    Zips.replace(entries, PayloadFormat.SIGNATURE, signature.replace(Signing.keyId(mallory.getPublic()),
        Signing.keyId(alice.getPublic())).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    byte[] forged = Zips.zip(entries);
    assertVerifyFails(forged, trusting(alice.getPublic()), BAD_SIGNATURE, "payload fix-1: the signature does not "
        + "verify against trusted key " + Signing.keyId(alice.getPublic()) + " (content changed after signing?)");
  }

  @Test
  void refusesAMalformedSignatureEntry() {
    List<Entry> entries = Zips.entries(signedByAlice);
    Zips.replace(entries, PayloadFormat.SIGNATURE, PropertiesText.write(java.util.Map.of(
        "algorithm", "Ed25519", "key", Signing.keyId(alice.getPublic()),
        "signature", Base64.getEncoder().encodeToString(new byte[10]))));
    assertThatThrownBy(() -> read(Zips.zip(entries)))
        .isInstanceOf(PayloadException.class)
        .hasMessage("the signature is 10 bytes; Ed25519 signatures are 64")
        .satisfies(e -> assertThat(((PayloadException) e).reason()).isEqualTo(BAD_SIGNATURE));
  }

  @Test
  void keysSurviveAPemRoundTrip() throws Exception {
    String privatePem = Signing.toPem(alice.getPrivate());
    String publicPem = Signing.toPem(alice.getPublic());
    assertThat(privatePem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
    assertThat(publicPem).startsWith("-----BEGIN PUBLIC KEY-----\n").endsWith("-----END PUBLIC KEY-----\n");

    byte[] file = Signing.sign(PayloadFixtures.unsigned(), Signing.readPrivateKey(privatePem));
    assertThat(file).isEqualTo(signedByAlice);
    List<PublicKey> trust = Signing.readPublicKeys(Signing.toPem(mallory.getPublic()) + "\n# alice\n" + publicPem);
    assertThat(trust).hasSize(2);
    assertThat(new TrustedKeys(trust).verify(read(file))).isEqualTo(Signing.keyId(alice.getPublic()));
  }

  @Test
  void derivesThePublicKeyOfAPrivateKey() {
    assertThat(Signing.publicKey(alice.getPrivate()).getEncoded()).isEqualTo(alice.getPublic().getEncoded());
    assertThat(Signing.keyId(alice.getPublic())).matches("[0-9a-f]{16}");
  }

  @Test
  void trustsOnlyEd25519Keys() throws Exception {
    PublicKey ed448 = java.security.KeyPairGenerator.getInstance("Ed448").generateKeyPair().getPublic();
    PublicKey rsa = java.security.KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic();
    for (PublicKey key : List.of(ed448, rsa)) {
      assertThatThrownBy(() -> new TrustedKeys(List.of(key))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("trusted keys must be Ed25519 keys");
    }
    java.security.PrivateKey ed448Private = java.security.KeyPairGenerator.getInstance("Ed448").generateKeyPair()
        .getPrivate();
    assertThatThrownBy(() -> Signing.publicKey(ed448Private)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not an Ed25519 private key");
  }

  @Test
  void rejectsTextThatHoldsNoKey() {
    assertThatThrownBy(() -> Signing.readPrivateKey(Signing.toPem(alice.getPublic())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no PEM private key (-----BEGIN PRIVATE KEY-----) found");
    assertThatThrownBy(() -> Signing.readPublicKeys("just text"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no PEM public key (-----BEGIN PUBLIC KEY-----) found");
    assertThatThrownBy(() -> Signing.readPublicKeys("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("public key 1 is not an Ed25519 key");
  }
}
