package org.jlivepatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jlivepatch.core.payload.PayloadFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build}, {@code review} and {@code inspect} on a fix that adds a method, a lambda, a class
 * and two fields ({@link PayloadFixtures#trampolinePatch()}'s sources): what each says about
 * trampolines, shadow fields, added classes and guards.
 */
class TrampolineBuildCommandTest {

  @TempDir Path dir;

  record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode = JLivePatch.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  private Path classes(String name, Map<String, byte[]> classes) throws IOException {
    Path root = dir.resolve(name);
    for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
      Path file = root.resolve(entry.getKey().replace('.', '/') + ".class");
      Files.createDirectories(file.getParent());
      Files.write(file, entry.getValue());
    }
    return root;
  }

  private String[] build(String... more) throws IOException {
    String[] base = {"build", "--old", classes("old", PayloadFixtures.trampolineOld()).toString(),
        "--new", classes("new", PayloadFixtures.trampolineNew()).toString(), "--id", "codec-1",
        "-o", dir.resolve("codec.jlp").toString()};
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void buildCountsTrampolinesShadowFieldsAddedClassesAndGuards() throws IOException {
    Run run = run(build("--guard", "demo.Codec#decode"));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("built codec-1: 4 method(s) in 1 class(es), 1 trampoline(s), 2 added method(s), "
        + "2 shadow field(s), 1 added class(es), 2 guard(s) -> " + dir.resolve("codec.jlp") + "\n")
        .contains("  changed  demo.Codec.encode(Ljava/lang/String;)Ljava/lang/String; (trampoline)\n",
            "  changed  demo.Codec.check(Ljava/lang/String;)I (added)\n",
            "  added    demo.Brackets (defined in the loader and package of demo.Codec)\n",
            "  guard    demo.Client.roundTrip(Ldemo/Codec;Ljava/lang/String;)Ljava/lang/String;: calls "
                + "demo.Codec.encode(Ljava/lang/String;)Ljava/lang/String; and "
                + "demo.Codec.decode(Ljava/lang/String;)Ljava/lang/String;\n",
            "  guard    demo.Codec.decode(Ljava/lang/String;)Ljava/lang/String;: named by the patch author\n",
            "  warning  demo.Codec field depth:I: added field `int depth` becomes a shadow field");

    Run inspect = run("inspect", dir.resolve("codec.jlp").toString());
    assertThat(inspect.out()).contains("format       2, fingerprints",
        "    trampoline encode(Ljava/lang/String;)Ljava/lang/String;\n",
        "    added      check(Ljava/lang/String;)I\n               (added) -> ",
        "    shadow     depth:I\n    shadow     calls:I (static)\n",
        "added classes (1):\n  demo.Brackets (defined in the loader and package of demo.Codec)\n",
        "guards (2):\n  demo.Client.roundTrip(");
    JsonObject json = JsonParser.parseString(run("inspect", dir.resolve("codec.jlp").toString(), "--json").out())
        .getAsJsonObject();
    assertThat(json.get("format").getAsInt()).isEqualTo(2);
    JsonObject codec = json.getAsJsonArray("classes").get(0).getAsJsonObject();
    assertThat(codec.getAsJsonArray("shadowFields").get(1).getAsJsonObject().get("static").getAsBoolean()).isTrue();
    assertThat(json.getAsJsonArray("addedClasses").get(0).getAsJsonObject().get("host").getAsString())
        .isEqualTo("demo.Codec");
    assertThat(json.getAsJsonArray("guards")).hasSize(2);
  }

  @Test
  void aBadGuardIsAUsageErrorAndAnUnknownOneIsRefused() throws IOException {
    Run bad = run(build("--guard", "demo.Client.roundTrip"));
    assertThat(bad.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(bad.err()).contains("guard 'demo.Client.roundTrip' is not CLASS#METHOD");

    Run unknown = run(build("--guard", "demo.Client#nothing"));
    assertThat(unknown.exitCode()).isEqualTo(ExitCode.REFUSED);
    assertThat(unknown.out()).contains("  refused  demo.Client guard demo.Client#nothing: named guard: class "
        + "demo.Client of the old build has no method nothing; name one it has");
    assertThat(Files.exists(dir.resolve("codec.jlp"))).isFalse();
  }

  @Test
  void buildJsonAndReviewJsonCarryPlacementsShadowFieldsAddedClassesAndGuards() throws IOException {
    Run build = run(build("--json"));
    assertThat(build.exitCode()).as(build.err()).isZero();
    JsonObject object = JsonParser.parseString(build.out()).getAsJsonObject();
    JsonArray changed = object.getAsJsonArray("changed");
    JsonObject encode = changed.get(0).getAsJsonObject();
    assertThat(encode.get("kind").getAsString()).isEqualTo("trampoline");
    assertThat(encode.get("placement").getAsString()).isEqualTo("trampoline: runs in hidden class demo.Codec$$Jlp; "
        + "demo.Codec.encode becomes an entry redirect");
    assertThat(encode.get("hiddenClass").getAsString()).isEqualTo("demo.Codec$$Jlp");
    JsonObject decode = changed.get(1).getAsJsonObject();
    assertThat(decode.get("placement").getAsString()).isEqualTo("in place");
    assertThat(decode.get("hiddenClass").isJsonNull()).isTrue();
    JsonObject depth = object.getAsJsonArray("shadowFields").get(0).getAsJsonObject();
    assertThat(depth.get("class").getAsString()).isEqualTo("demo.Codec");
    assertThat(depth.get("name").getAsString()).isEqualTo("depth");
    assertThat(depth.get("static").getAsBoolean()).isFalse();
    assertThat(depth.get("note").getAsString()).startsWith("demo.Codec.depth:I becomes a shadow field: ");
    assertThat(object.getAsJsonArray("addedClasses").get(0).getAsJsonObject().get("class").getAsString())
        .isEqualTo("demo.Brackets");
    assertThat(object.getAsJsonArray("guards").get(0).getAsJsonObject().get("reason").getAsString())
        .startsWith("calls demo.Codec.encode");

    Run review = run("review", dir.resolve("codec.jlp").toString(), "--json");
    JsonObject reviewed = JsonParser.parseString(review.out()).getAsJsonObject();
    assertThat(reviewed.getAsJsonArray("changed")).hasSize(4);
    assertThat(reviewed.getAsJsonArray("unlisted")).isEmpty();
    assertThat(reviewed.getAsJsonArray("shadowFields")).hasSize(2);
    assertThat(reviewed.getAsJsonArray("guards")).hasSize(1);

    Run text = run("review", dir.resolve("codec.jlp").toString());
    assertThat(text.out()).contains("CHANGED (4)\n", "SHADOW FIELDS (2)", "ADDED CLASSES (1)\n", "GUARDS (1)");
  }
}
