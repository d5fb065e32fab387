package org.jlivepatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Optional;
import org.jlivepatch.core.payload.PayloadFixtures;
import org.jlivepatch.core.payload.Signing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keygen, sign, verify and inspect: happy paths, and each bad input as one line on stderr with its exit code. */
class PayloadCommandsTest {

  @TempDir Path dir;

  /** What one run of the CLI printed and returned. */
  record Run(int exitCode, String out, String err) {

    /** Asserts a failure reported as exactly one line on stderr, no stack trace, nothing on stdout. */
    Run failedWith(int expectedExitCode, String expectedLine) {
      assertThat(exitCode).as(err).isEqualTo(expectedExitCode);
      assertThat(err).isEqualTo("jlivepatch: " + expectedLine + System.lineSeparator());
      assertThat(out).isEmpty();
      return this;
    }
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode = JLivePatch.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  private Path unsignedPayload() throws IOException {
    Path file = dir.resolve("fix-1.jlp");
    Files.write(file, PayloadFixtures.unsigned());
    return file;
  }

  private Path keygen(String name) {
    Run run = run("keygen", "-o", dir.resolve(name).toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    return dir.resolve(name);
  }

  private static String keyId(Path publicKeyFile) throws IOException {
    return Signing.keyId(Signing.readPublicKeys(Files.readString(publicKeyFile)).get(0));
  }

  // --- keygen ---

  @Test
  void keygenWritesAnOwnerOnlyPrivateKeyAndAPublicKey() throws Exception {
    Run run = run("keygen", "-o", dir.resolve("ops").toString());

    assertThat(run.exitCode()).isZero();
    Path privateKey = dir.resolve("ops.key");
    Path publicKey = dir.resolve("ops.pub");
    assertThat(Files.readString(privateKey)).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.readString(publicKey)).startsWith("-----BEGIN PUBLIC KEY-----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateKey))).isEqualTo("rw-------");
    assertThat(run.out()).contains("key id " + keyId(publicKey));
    assertThat(Signing.publicKey(Signing.readPrivateKey(Files.readString(privateKey))).getEncoded())
        .isEqualTo(Signing.readPublicKeys(Files.readString(publicKey)).get(0).getEncoded());
  }

  @Test
  void keygenRefusesToOverwrite() throws Exception {
    Path base = keygen("ops");
    String before = Files.readString(dir.resolve("ops.key"));
    run("keygen", "-o", base.toString()).failedWith(ExitCode.FAILURE, base + ".key: already exists; not overwriting a key");
    assertThat(Files.readString(dir.resolve("ops.key"))).isEqualTo(before);

    Files.delete(dir.resolve("ops.key"));
    run("keygen", "-o", base.toString()).failedWith(ExitCode.FAILURE, base + ".pub: already exists; not overwriting a key");
    assertThat(dir.resolve("ops.key")).doesNotExist();
  }

  @Test
  void keygenPrintsJson() {
    Run run = run("keygen", "-o", dir.resolve("ops").toString(), "--json");
    JsonObject json = JsonParser.parseString(run.out()).getAsJsonObject();
    assertThat(json.get("keyId").getAsString()).matches("[0-9a-f]{16}");
    assertThat(json.get("privateKey").getAsString()).endsWith("ops.key");
  }

  // --- sign and verify ---

  @Test
  void signThenVerify() throws Exception {
    Path payload = unsignedPayload();
    Path key = keygen("ops");

    Run signed = run("sign", payload.toString(), "--key", key + ".key");
    assertThat(signed.exitCode()).as(signed.err()).isZero();
    assertThat(signed.out()).isEqualTo(payload + ": patch fix-1 signed by key " + keyId(Path.of(key + ".pub"))
        + System.lineSeparator());
    assertThat(Files.readAllBytes(payload)).isEqualTo(
        PayloadFixtures.write(PayloadFixtures.patch(), Optional.of(Signing.readPrivateKey(Files.readString(Path.of(key + ".key"))))));

    Run verified = run("verify", payload.toString(), "--trust", key + ".pub");
    assertThat(verified.exitCode()).as(verified.err()).isZero();
    assertThat(verified.out()).isEqualTo(payload + ": verified: patch fix-1 signed by trusted key "
        + keyId(Path.of(key + ".pub")) + System.lineSeparator());
  }

  @Test
  void signWritesToAnotherFileWithDashO() throws Exception {
    Path payload = unsignedPayload();
    byte[] before = Files.readAllBytes(payload);
    Path key = keygen("ops");
    Path out = dir.resolve("signed.jlp");

    assertThat(run("sign", payload.toString(), "--key", key + ".key", "-o", out.toString()).exitCode()).isZero();

    assertThat(Files.readAllBytes(payload)).isEqualTo(before);
    assertThat(run("verify", out.toString(), "--trust", key + ".pub").exitCode()).isZero();
    assertThat(run("verify", payload.toString(), "--trust", key + ".pub").exitCode()).isEqualTo(ExitCode.REFUSED);
  }

  @Test
  void verifyAcceptsAnyOfSeveralTrustedKeys() throws Exception {
    Path payload = unsignedPayload();
    Path ops = keygen("ops");
    Path other = keygen("other");
    Path both = dir.resolve("trusted.pem");
    Files.writeString(both, Files.readString(Path.of(other + ".pub")) + Files.readString(Path.of(ops + ".pub")));
    run("sign", payload.toString(), "--key", ops + ".key");

    Run run = run("verify", payload.toString(), "--trust", both.toString(), "--json");

    assertThat(run.exitCode()).isZero();
    JsonObject json = JsonParser.parseString(run.out()).getAsJsonObject();
    assertThat(json.get("verified").getAsBoolean()).isTrue();
    assertThat(json.get("keyId").getAsString()).isEqualTo(keyId(Path.of(ops + ".pub")));
  }

  @Test
  void verifyRefusesAnUnsignedPayload() throws Exception {
    Path payload = unsignedPayload();
    Path key = keygen("ops");
    run("verify", payload.toString(), "--trust", key + ".pub")
        .failedWith(ExitCode.REFUSED, "payload " + payload + " refused: payload fix-1 is not signed");
  }

  @Test
  void verifyRefusesAPayloadSignedByAnUntrustedKey() throws Exception {
    Path payload = unsignedPayload();
    Path ops = keygen("ops");
    Path other = keygen("other");
    run("sign", payload.toString(), "--key", other + ".key");
    run("verify", payload.toString(), "--trust", ops + ".pub").failedWith(ExitCode.REFUSED, "payload " + payload + " refused: "
        + "payload fix-1 is signed by key " + keyId(Path.of(other + ".pub")) + ", which is not trusted");
  }

  @Test
  void verifyRefusesAPayloadChangedAfterSigning() throws Exception {
    Path payload = unsignedPayload();
    Path key = keygen("ops");
    run("sign", payload.toString(), "--key", key + ".key");
    // Same length, so only the signature can tell: the description is not pinned by any hash but the manifest's.
    byte[] bytes = Files.readAllBytes(payload);
    byte[] changed = replace(bytes, "Strip names", "Strip NAMES");
    Files.write(payload, fixStoredCrc(changed));

    Run run = run("verify", payload.toString(), "--trust", key + ".pub");
    run.failedWith(ExitCode.REFUSED, "payload " + payload + " refused: payload fix-1: the signature does not verify against trusted key "
        + keyId(Path.of(key + ".pub")) + " (content changed after signing?)");
  }

  @Test
  void verifyRefusesADamagedPayload() throws Exception {
    Path payload = unsignedPayload();
    Path key = keygen("ops");
    byte[] bytes = Files.readAllBytes(payload);
    Files.write(payload, Arrays.copyOf(bytes, bytes.length / 2));
    run("verify", payload.toString(), "--trust", key + ".pub").failedWith(ExitCode.REFUSED,
        "payload " + payload + " refused: the file is truncated: the zip directory at its end is missing");
  }

  @Test
  void signAndVerifyReportMissingFiles() throws Exception {
    Path payload = unsignedPayload();
    Path key = keygen("ops");
    Path missing = dir.resolve("missing.jlp");
    run("verify", missing.toString(), "--trust", key + ".pub").failedWith(ExitCode.FAILURE, "payload " + missing + " does not exist");
    run("verify", payload.toString(), "--trust", dir.resolve("nokey.pub").toString())
        .failedWith(ExitCode.FAILURE, "--trust " + dir.resolve("nokey.pub") + ": no such file");
    run("sign", missing.toString(), "--key", key + ".key").failedWith(ExitCode.FAILURE, "payload " + missing + " does not exist");
    run("sign", payload.toString(), "--key", key + ".pub")
        .failedWith(ExitCode.FAILURE, "--key " + key + ".pub: no PEM private key (-----BEGIN PRIVATE KEY-----) found");
    run("verify", payload.toString(), "--trust", key + ".key")
        .failedWith(ExitCode.FAILURE, "--trust " + key + ".key: no PEM public key (-----BEGIN PUBLIC KEY-----) found");
  }

  @Test
  void signRefusesAnInvalidPayloadAndLeavesItAlone() throws Exception {
    Path key = keygen("ops");
    Path notPayload = dir.resolve("notes.jlp");
    Files.writeString(notPayload, "not a payload");
    run("sign", notPayload.toString(), "--key", key + ".key")
        .failedWith(ExitCode.REFUSED, "payload " + notPayload + " refused: not a jlivepatch payload: not a zip file");
    assertThat(Files.readString(notPayload)).isEqualTo("not a payload");
  }

  @Test
  void verifyNeedsTrust() throws Exception {
    Run run = run("verify", unsignedPayload().toString());
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).startsWith("jlivepatch: Missing required option: '--trust=PUB'");
  }

  // --- inspect ---

  @Test
  void inspectPrintsMetadataMethodsAndSignatureState() throws Exception {
    Path payload = unsignedPayload();

    Run run = run("inspect", payload.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).isEmpty();
    String fingerprint = PayloadFixtures.patch().classes().get(0).methods().get(0).expectedFingerprint();
    String newFingerprint = PayloadFixtures.patch().classes().get(0).methods().get(0).newFingerprint();
    assertThat(run.out())
        .contains("patch        fix-1")
        .contains("description  Strip names before greeting.\n             Second line")
        .contains("depends      (none: applies to unpatched classes)")
        .contains("format       2, fingerprints jlp-method-1")
        .contains("built by     jlivepatch 0.1.0-test")
        .contains("signature    unsigned")
        .contains("2 classes, 3 methods:")
        .contains("  demo.Greeter\n    in-place   greet(Ljava/lang/String;)Ljava/lang/String;\n               "
            + fingerprint + " -> " + newFingerprint)
        .contains("hooks (1):\n  demo.hooks.Hook (entry point)")
        .contains("warnings (1):\n  demo.Greeter method count(I)I: return value changes");
  }

  @Test
  void inspectShowsWhetherTheSignatureVerifies() throws Exception {
    Path payload = unsignedPayload();
    Path ops = keygen("ops");
    Path other = keygen("other");
    run("sign", payload.toString(), "--key", ops + ".key");
    String id = keyId(Path.of(ops + ".pub"));

    assertThat(run("inspect", payload.toString()).out())
        .contains("signature    signed by " + id + " (not verified: no trusted key given)");
    assertThat(run("inspect", payload.toString(), "--trust", ops + ".pub").out())
        .contains("signature    signed by " + id + " (verified)");
    Run failed = run("inspect", payload.toString(), "--trust", other + ".pub");
    assertThat(failed.exitCode()).isEqualTo(ExitCode.REFUSED);
    assertThat(failed.out()).contains("signature    signed by " + id + " (FAILED: payload fix-1 is signed by key " + id
        + ", which is not trusted)");
    assertThat(failed.err()).isEqualTo("jlivepatch: payload " + payload + " refused: payload fix-1 is signed by key " + id
        + ", which is not trusted" + System.lineSeparator());
  }

  @Test
  void inspectPrintsOneJsonObject() throws Exception {
    Path payload = unsignedPayload();

    Run run = run("inspect", payload.toString(), "--json");

    assertThat(run.exitCode()).isZero();
    JsonObject json = JsonParser.parseString(run.out()).getAsJsonObject();
    assertThat(json.get("id").getAsString()).isEqualTo("fix-1");
    assertThat(json.get("format").getAsInt()).isEqualTo(2);
    assertThat(json.get("methodCount").getAsInt()).isEqualTo(3);
    assertThat(json.getAsJsonObject("signature").get("state").getAsString()).isEqualTo("unsigned");
    JsonObject method = json.getAsJsonArray("classes").get(0).getAsJsonObject().getAsJsonArray("methods").get(0)
        .getAsJsonObject();
    assertThat(method.get("kind").getAsString()).isEqualTo("in-place");
    assertThat(method.get("expectedFingerprint").getAsString()).matches("[0-9a-f]{32}");
    assertThat(json.get("depends").isJsonNull()).isTrue();
  }

  @Test
  void inspectReportsEachKindOfBadPayloadInOneLine() throws Exception {
    byte[] good = PayloadFixtures.unsigned();
    Path file = dir.resolve("bad.jlp");

    Files.write(file, new byte[0]);
    run("inspect", file.toString()).failedWith(ExitCode.REFUSED, "payload " + file + " refused: the file is empty");

    Files.write(file, Arrays.copyOf(good, good.length - 1));
    run("inspect", file.toString())
        .failedWith(ExitCode.REFUSED, "payload " + file + " refused: the file is truncated: the zip directory at its end is missing");

    Files.write(file, replace(good, "demo/util/Check.class", "demo/util/../Ch.class"));
    run("inspect", file.toString()).failedWith(ExitCode.REFUSED, "payload " + file + " refused: "
        + "payload has entry name with '..' 'base/demo/util/../Ch.class'");

    Files.write(file, good);
    run("inspect", file.toString(), "--max-payload-bytes", "1000")
        .failedWith(ExitCode.REFUSED, "payload " + file + " refused: it is larger than the limit of 1000 bytes");
    run("inspect", file.toString(), "--max-methods", "2")
        .failedWith(ExitCode.REFUSED, "payload " + file + " refused: payload patches 3 methods, more than the limit of 2");

    Files.write(file, fixStoredCrc(replace(good, "format.version=2", "format.version=3")));
    run("inspect", file.toString()).failedWith(ExitCode.REFUSED, "payload " + file + " refused: "
        + "payload format version 3 is newer than this jlivepatch supports (2); upgrade jlivepatch");

    Path missing = dir.resolve("missing.jlp");
    run("inspect", missing.toString()).failedWith(ExitCode.FAILURE, "payload " + missing + " does not exist");
    run("inspect", dir.toString()).failedWith(ExitCode.FAILURE, "payload " + dir + " is a directory");
  }

  @Test
  void inspectWithJsonReportsAFailureAsOneJsonObject() throws Exception {
    Path file = dir.resolve("bad.jlp");
    Files.writeString(file, "garbage");
    Run run = run("inspect", file.toString(), "--json");
    assertThat(run.exitCode()).isEqualTo(ExitCode.REFUSED);
    JsonObject json = JsonParser.parseString(run.out()).getAsJsonObject();
    assertThat(json.get("error").getAsString()).isEqualTo("payload " + file + " refused: not a jlivepatch payload: not a zip file");
    assertThat(json.get("exitCode").getAsInt()).isEqualTo(ExitCode.REFUSED);
  }

  /** Replaces {@code from} by {@code to} (same length) everywhere in a file. */
  private static byte[] replace(byte[] file, String from, String to) {
    assertThat(to.length()).isEqualTo(from.length());
    String text = new String(file, StandardCharsets.ISO_8859_1);
    assertThat(text).contains(from);
    return text.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Recomputes the CRC-32 of every stored entry in the local headers and the zip directory, as
   * someone who edits a payload on purpose would.
   */
  private static byte[] fixStoredCrc(byte[] file) {
    byte[] out = file.clone();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(out).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int end = out.length - 22;
    int directory = b.getInt(end + 16);
    int count = b.getShort(end + 10) & 0xffff;
    int p = directory;
    for (int i = 0; i < count; i++) {
      int size = b.getInt(p + 24);
      int nameLength = b.getShort(p + 28) & 0xffff;
      int local = b.getInt(p + 42);
      int data = local + 30 + (b.getShort(local + 26) & 0xffff) + (b.getShort(local + 28) & 0xffff);
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(out, data, size);
      b.putInt(p + 16, (int) crc.getValue());
      b.putInt(local + 14, (int) crc.getValue());
      p += 46 + nameLength + (b.getShort(p + 30) & 0xffff) + (b.getShort(p + 32) & 0xffff);
    }
    return out;
  }
}
