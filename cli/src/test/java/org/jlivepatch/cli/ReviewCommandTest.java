package org.jlivepatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import java.util.Optional;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.payload.PayloadWriter;
import org.jlivepatch.core.payload.Signing;
import org.jlivepatch.core.review.ReviewFixtures;
import org.jlivepatch.core.testing.InMemoryCompiler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReviewCommandTest {

  private static final String GREETER = """
      package demo;
      public class Greeter {
        public String greet(String who) {
          if (who == null) {
            throw new IllegalArgumentException("who");
          }
          return "Hello, " + who;
        }
        public int limit() { return 10; }
        public static class Counter {
          int count;
          public int next() { return ++count; }
        }
      }
      """;

  private static final String GREETER_FIXED = GREETER.replace("\"Hello, \"", "\"Hi, \"");

  @TempDir Path dir;

  /** What one run of the CLI printed and returned. */
  record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode = JLivePatch.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  private Path payload(Patch patch, Optional<KeyPair> key) throws IOException {
    Path file = dir.resolve(patch.id() + ".jlp");
    try (OutputStream out = Files.newOutputStream(file)) {
      PayloadWriter.write(patch, key.map(KeyPair::getPrivate), out);
    }
    return file;
  }

  private Path unsignedPayload() throws IOException {
    return payload(ReviewFixtures.patch("demo.Greeter", GREETER, GREETER_FIXED), Optional.empty());
  }

  private Path classes(String name, String source) throws IOException {
    Path root = dir.resolve(name);
    for (Map.Entry<String, byte[]> entry : InMemoryCompiler.compile(Map.of("demo.Greeter", source), "-g").entrySet()) {
      Path file = root.resolve(entry.getKey().replace('.', '/') + ".class");
      Files.createDirectories(file.getParent());
      Files.write(file, entry.getValue());
    }
    return root;
  }

  private Path publicKeyFile(KeyPair key, String name) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, Signing.toPem(key.getPublic()));
    return file;
  }

  @Test
  void reviewsAPayloadAsText() throws IOException {
    Run run = run("review", unsignedPayload().toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
    assertThat(run.err()).isEmpty();
    assertThat(run.out()).startsWith("Review of patch fix-1\n").contains(
        "  signature    unsigned\n",
        "CHANGED (1)\n  demo.Greeter.greet(Ljava/lang/String;)Ljava/lang/String;  in place\n",
        "DIFF demo.Greeter.greet(Ljava/lang/String;)Ljava/lang/String;  in-place\n");
    assertThat(run.out()).containsPattern("\n-\\s+\"Hello, \\\\u0001\"\n\\+\\s+\"Hi, \\\\u0001\"\n");
    // Not a terminal: no colour unless asked for.
    assertThat(run.out()).doesNotContain("\u001b[");
  }

  @Test
  void reviewsAPayloadAsOneJsonObject() throws IOException {
    Run run = run("review", unsignedPayload().toString(), "--json");

    assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
    JsonObject json = JsonParser.parseString(run.out()).getAsJsonObject();
    assertThat(json.get("id").getAsString()).isEqualTo("fix-1");
    assertThat(json.keySet()).contains("id", "depends", "builds", "changed", "ignored", "refused", "warnings",
        "renamed", "payload");
    JsonObject changed = json.getAsJsonArray("changed").get(0).getAsJsonObject();
    assertThat(changed.get("class").getAsString()).isEqualTo("demo.Greeter");
    assertThat(changed.get("method").getAsString()).isEqualTo("greet");
    assertThat(changed.get("descriptor").getAsString()).isEqualTo("(Ljava/lang/String;)Ljava/lang/String;");
    assertThat(changed.get("kind").getAsString()).isEqualTo("in-place");
    JsonArray diff = changed.getAsJsonArray("diff");
    assertThat(diff.asList()).extracting(e -> e.getAsString())
        .contains("--- old/demo.Greeter.greet(Ljava/lang/String;)Ljava/lang/String;")
        .anyMatch(line -> line.startsWith("+") && line.contains("Hi, "));
    assertThat(json.getAsJsonObject("builds").getAsJsonObject("new").get("major").getAsInt()).isEqualTo(61);
    JsonObject payload = json.getAsJsonObject("payload");
    assertThat(payload.get("signed").getAsBoolean()).isFalse();
    assertThat(payload.get("verified").getAsBoolean()).isFalse();
    assertThat(payload.get("contentHash").getAsString()).matches("[0-9a-f]{64}");
  }

  @Test
  void colourOnlyWhenAskedForAndNeverInJson() throws IOException {
    Path file = unsignedPayload();

    assertThat(run("review", file.toString(), "--color=always").out()).contains("\u001b[32m+");
    assertThat(run("review", file.toString(), "--color=never").out()).doesNotContain("\u001b[");
    assertThat(run("review", file.toString(), "--color=always", "--json").out()).doesNotContain("\u001b[");
  }

  @Test
  void verifiesTheSignatureAgainstTrustedKeys() throws IOException {
    KeyPair signer = Signing.generateKeyPair();
    Path file = payload(ReviewFixtures.patch("demo.Greeter", GREETER, GREETER_FIXED), Optional.of(signer));

    Run trusted = run("review", file.toString(), "--trust", publicKeyFile(signer, "signer.pub").toString());
    Run notChecked = run("review", file.toString());
    Run untrusted = run("review", file.toString(),
        "--trust", publicKeyFile(Signing.generateKeyPair(), "other.pub").toString());

    assertThat(trusted.exitCode()).isEqualTo(ExitCode.OK);
    assertThat(trusted.out()).contains("  signature    verified: signed by trusted key " + Signing.keyId(signer.getPublic()));
    assertThat(notChecked.out()).contains("not verified (give --trust PUB to check it)");
    assertThat(untrusted.exitCode()).isEqualTo(ExitCode.REFUSED);
    assertThat(untrusted.out()).isEmpty();
    assertThat(untrusted.err()).contains("not trusted").hasLineCount(1);
  }

  @Test
  void anUnsignedPayloadIsRefusedWhenASignatureIsRequired() throws IOException {
    KeyPair key = Signing.generateKeyPair();

    Run run = run("review", unsignedPayload().toString(), "--trust", publicKeyFile(key, "k.pub").toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.REFUSED);
    assertThat(run.err()).contains("is not signed").hasLineCount(1);
  }

  @Test
  void aCorruptPayloadIsOneLineAndExit3() throws IOException {
    byte[] good = Files.readAllBytes(unsignedPayload());
    ByteArrayOutputStream damaged = new ByteArrayOutputStream();
    damaged.write(good, 0, good.length / 2);
    Path file = dir.resolve("damaged.jlp");
    Files.write(file, damaged.toByteArray());

    Run run = run("review", file.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.REFUSED);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).startsWith("jlivepatch: payload " + file).hasLineCount(1);
  }

  @Test
  void aCorruptPayloadWithJsonPrintsOneErrorObject() throws IOException {
    Path file = dir.resolve("garbage.jlp");
    Files.writeString(file, "not a payload at all");

    Run run = run("review", file.toString(), "--json");

    assertThat(run.exitCode()).isEqualTo(ExitCode.REFUSED);
    JsonObject json = JsonParser.parseString(run.out()).getAsJsonObject();
    assertThat(json.get("exitCode").getAsInt()).isEqualTo(ExitCode.REFUSED);
    assertThat(run.err()).hasLineCount(1);
  }

  @Test
  void aMissingFileIsExit1() {
    Run run = run("review", dir.resolve("missing.jlp").toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(run.err()).contains("missing.jlp").hasLineCount(1);
  }

  @Test
  void aMissingTrustFileIsExit1() throws IOException {
    Run run = run("review", unsignedPayload().toString(), "--trust", dir.resolve("none.pub").toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(run.err()).isEqualTo("jlivepatch: --trust " + dir.resolve("none.pub") + ": no such file\n");
  }

  @Test
  void reviewsTwoBuilds() throws IOException {
    Run run = run("review", "--old", classes("old", GREETER).toString(), "--new",
        classes("new", GREETER_FIXED).toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
    assertThat(run.out()).startsWith("Review of the difference between old and new classes\n")
        .contains("  patchable    yes\n", "DIFF demo.Greeter.greet(Ljava/lang/String;)Ljava/lang/String;  in-place\n");
  }

  @Test
  void twoBuildsWithARefusalPrintTheWholeReviewAndExit3() throws IOException {
    // A field a constructor initialises: the constructor cannot move into a trampoline.
    String withField = GREETER_FIXED.replace("int count;", "int count;\n    int total = 1;")
        .replace("return ++count;", "total++; return ++count;");

    Run run = run("review", "--old", classes("old", GREETER).toString(), "--new", classes("new", withField).toString());
    Run json = run("review", "--old", classes("old", GREETER).toString(), "--new", classes("new", withField).toString(),
        "--json");

    assertThat(run.exitCode()).isEqualTo(ExitCode.REFUSED);
    assertThat(run.out()).contains("\nREFUSED (", "demo.Greeter$Counter", "\nDIFF demo.Greeter.greet(");
    assertThat(run.err()).startsWith("jlivepatch: refused: ").hasLineCount(1);
    assertThat(json.exitCode()).isEqualTo(ExitCode.REFUSED);
    JsonObject object = JsonParser.parseString(json.out()).getAsJsonObject();
    assertThat(object.get("patchable").getAsBoolean()).isFalse();
    JsonObject refusal = object.getAsJsonArray("refused").get(0).getAsJsonObject();
    assertThat(refusal.get("class").getAsString()).isEqualTo("demo.Greeter$Counter");
    assertThat(refusal.get("reason").getAsString()).isNotEmpty();
  }

  @Test
  void includeAndExcludeSelectClasses() throws IOException {
    Run run = run("review", "--old", classes("old", GREETER).toString(), "--new",
        classes("new", GREETER_FIXED).toString(), "--exclude", "demo.Greeter", "--json");

    assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
    assertThat(JsonParser.parseString(run.out()).getAsJsonObject().getAsJsonArray("changed")).isEmpty();
  }

  @Test
  void aMissingBuildIsExit1() throws IOException {
    Run run = run("review", "--old", dir.resolve("nothing").toString(), "--new", classes("new", GREETER).toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(run.err()).contains("--old").hasLineCount(1);
  }

  @Test
  void helpDescribesBothForms() {
    Run run = run("review", "--help");

    assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
    assertThat(run.out()).contains("FILE.jlp", "--old=PATH", "--new=PATH", "--trust=PUB", "--color=WHEN", "--json");
  }

  @Test
  void wrongCombinationsAreUsageErrors() throws IOException {
    String file = unsignedPayload().toString();

    assertThat(run("review").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run("review", file, "--old", "a", "--new", "b").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run("review", "--old", "a").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run("review", file, "--include", "demo.*").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run("review", "--old", "a", "--new", "b", "--trust", "k.pub").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run("review", file, "--color=sometimes").exitCode()).isEqualTo(ExitCode.USAGE);
    Run run = run("review");
    assertThat(run.err()).startsWith("jlivepatch: give a payload FILE.jlp to review, or --old PATH and --new PATH\n");
  }
}
