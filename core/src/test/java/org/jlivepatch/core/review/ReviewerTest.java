package org.jlivepatch.core.review;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jlivepatch.core.diff.ChangedMethod;
import org.jlivepatch.core.diff.DiffResult;
import org.jlivepatch.core.model.BuildInfo;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.Ignored;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.model.Refusal;
import org.jlivepatch.core.model.Renamed;
import org.jlivepatch.core.model.Warning;
import org.jlivepatch.core.splice.ClassSplicer;
import org.jlivepatch.core.testing.InMemoryCompiler;
import org.junit.jupiter.api.Test;

class ReviewerTest {

  private static final String GREETER = """
      package demo;
      public class Greeter {
        private final String name;
        public Greeter(String name) { this.name = name; }
        public String greet(int times) {
          StringBuilder out = new StringBuilder();
          for (int i = 0; i < times; i++) {
            out.append("Hello, ").append(name);
          }
          return out.toString();
        }
        public int limit() { return 10; }
      }
      """;

  private static final String GREETER_FIXED = GREETER.replace("\"Hello, \"", "\"Hi, \"");

  @Test
  void aBodyChangeShowsAsMinusAndPlusLinesWithTheChangedInstruction() {
    Patch patch = ReviewFixtures.patch("demo.Greeter", GREETER, GREETER_FIXED);

    String text = Reviewer.plain().render(patch);

    assertThat(text).contains(
        "DIFF demo.Greeter.greet(I)Ljava/lang/String;  in-place",
        "--- old/demo.Greeter.greet(I)Ljava/lang/String;",
        "+++ new/demo.Greeter.greet(I)Ljava/lang/String;",
        "\n-    LDC \"Hello, \"\n+    LDC \"Hi, \"\n");
    assertThat(text).containsPattern("\n@@ -\\d+,\\d+ \\+\\d+,\\d+ @@\n");
    // Only the changed method has a diff; unchanged ones are not listed.
    assertThat(text).doesNotContain("limit()I", "<init>");
  }

  @Test
  void theSummaryNamesThePatchItsBuildsAndCounts() {
    Patch patch = ReviewFixtures.patch("demo.Greeter", GREETER, GREETER_FIXED);

    String text = Reviewer.plain().render(patch);

    assertThat(text).startsWith("Review of patch fix-1\n");
    assertThat(text).contains(
        "  depends on   nothing: built against unpatched classes\n",
        "  old build    JDK 17, class files 61 (Java 17)\n",
        "  runs on      Java 17 and later\n",
        "  summary      1 method changed in 1 class, 0 refused, 0 warnings, 0 ignored, 0 renamed, 0 hooks\n",
        "CHANGED (1)\n  demo.Greeter.greet(I)Ljava/lang/String;  in place\n");
    assertThat(text).doesNotContain("REFUSED", "WARNINGS", "IGNORED", "RENAMED", "SHADOW FIELDS", "ADDED CLASSES",
        "GUARDS");
  }

  @Test
  void theSummaryListsRefusalsWarningsIgnoredAndRenamedWithReasons() {
    DiffResult diff = ReviewFixtures.diff("demo.Greeter", GREETER, GREETER_FIXED,
        List.of(new Refusal("demo.Greeter", "field count:I",
            "added field: redefinition cannot add fields; keep the state in a shadow field")),
        List.of(new Warning("demo.Greeter", "", "compiled without -g in the new build")),
        List.of(new Ignored("demo.Greeter", "limit", "()I", "line numbers only")),
        List.of(new Renamed("demo.Greeter", "lambda", "lambda$greet$0", "lambda$greet$1")));

    String text = Reviewer.plain().render(diff);

    assertThat(text).startsWith("Review of the difference between old and new classes\n");
    assertThat(text).contains(
        "  patchable    no: 1 difference refused (see REFUSED)\n",
        "REFUSED (1): no patch can be built until each is resolved\n"
            + "  demo.Greeter  field count:I\n"
            + "      added field: redefinition cannot add fields; keep the state in a shadow field\n",
        "WARNINGS (1)\n  demo.Greeter\n      compiled without -g in the new build\n",
        "IGNORED (1)\n  demo.Greeter.limit()I\n      line numbers only\n",
        "  demo.Greeter lambda: lambda$greet$1 in the new build is lambda$greet$0\n");
    // Sections come in the order a reviewer needs them.
    assertThat(text.indexOf("\nCHANGED (")).isLessThan(text.indexOf("\nREFUSED ("));
    assertThat(text.indexOf("\nREFUSED (")).isLessThan(text.indexOf("\nWARNINGS ("));
    assertThat(text.indexOf("\nWARNINGS (")).isLessThan(text.indexOf("\nIGNORED ("));
    assertThat(text.indexOf("\nIGNORED (")).isLessThan(text.indexOf("\nRENAMED ("));
    assertThat(text.indexOf("\nRENAMED (")).isLessThan(text.indexOf("\nDIFF "));
  }

  @Test
  void aRefusedDifferenceWithoutClassBytesIsStillListed() {
    BuildInfo build = new BuildInfo("", 0);
    DiffResult diff = new DiffResult(
        List.of(new ChangedMethod("demo.Greeter", "greet", "(I)Ljava/lang/String;", ChangeKind.IN_PLACE)),
        List.of(), List.of(new Refusal("demo.Greeter", "superclass", "the superclass changed; restart")),
        List.of(), List.of(), List.of(), build, build);

    String text = Reviewer.plain().render(diff);

    assertThat(text).contains("  old build    JDK unknown, no class files\n",
        "DIFF demo.Greeter.greet(I)Ljava/lang/String;  in-place\n"
            + "  (no class bytes to disassemble: the class is not part of a patch)\n");
  }

  @Test
  void colourOnlyWhenAskedFor() {
    DiffResult diff = ReviewFixtures.diff("demo.Greeter", GREETER, GREETER_FIXED,
        List.of(new Refusal("demo.Greeter", "field count:I", "added field")),
        List.of(new Warning("demo.Greeter", "", "look here")), List.of(), List.of());

    String plain = Reviewer.plain().render(diff);
    String coloured = Reviewer.plain().withColour(true).render(diff);

    assertThat(plain).doesNotContain("\u001b");
    assertThat(coloured).contains(
        "\u001b[31m-    LDC \"Hello, \"\u001b[0m",
        "\u001b[32m+    LDC \"Hi, \"\u001b[0m",
        "\u001b[1;31mREFUSED (1)",
        "\u001b[33mlook here\u001b[0m");
    assertThat(coloured.replaceAll("\u001b\\[[0-9;]*m", "")).isEqualTo(plain);
  }

  @Test
  void contextLinesAreAdjustable() {
    Patch patch = ReviewFixtures.patch("demo.Greeter", GREETER, GREETER_FIXED);

    String none = Reviewer.plain().withContextLines(0).render(patch);
    String wide = Reviewer.plain().withContextLines(100).render(patch);

    assertThat(none).contains("\n-    LDC \"Hello, \"\n+    LDC \"Hi, \"\n").doesNotContain("ICONST_0");
    assertThat(wide).contains(" public greet(I)Ljava/lang/String;", "     ICONST_0", "     ARETURN");
  }

  @Test
  void aChangedConstructorIsFlagged() {
    Patch patch = ReviewFixtures.patch("demo.Greeter", GREETER,
        GREETER.replace("this.name = name;", "this.name = name.trim();"));

    Review review = Review.of(patch);

    assertThat(review.warnings()).singleElement().satisfies(w -> {
      assertThat(w.className()).isEqualTo("demo.Greeter");
      assertThat(w.member()).isEqualTo("method <init>(Ljava/lang/String;)V");
      assertThat(w.message()).startsWith("constructor changed: the new body runs only for objects created after");
    });
    assertThat(Reviewer.plain().render(review)).contains("WARNINGS (1)\n  demo.Greeter  method <init>(Ljava/lang/String;)V\n");
  }

  @Test
  void anOrdinaryChangeGetsNoWarningOfTheReviewersOwn() {
    assertThat(Review.of(ReviewFixtures.patch("demo.Greeter", GREETER, GREETER_FIXED)).warnings()).isEmpty();
  }

  @Test
  void aMethodWhoseBytesChangeWithoutBeingListedIsFlaggedAndShown() {
    String both = GREETER_FIXED.replace("return 10;", "return 20;");
    byte[] oldBytes = compile(GREETER);
    byte[] newBytes = compile(both);
    Patch honest = ReviewFixtures.patch("demo.Greeter", GREETER, both);
    PatchedClass full = honest.classes().get(0);
    // A payload that carries both changes in its bytes but declares only one.
    PatchedMethod greet = full.methods().stream().filter(m -> m.name().equals("greet")).findFirst().orElseThrow();
    PatchedClass partial = new PatchedClass("demo.Greeter", oldBytes,
        ClassSplicer.splice(oldBytes, newBytes, List.of("greet(I)Ljava/lang/String;", "limit()I")), List.of(greet));
    Patch patch = withClasses(honest, List.of(partial));

    Review review = Review.of(patch);

    assertThat(review.listedChanges()).extracting(MethodReview::method).containsExactly("greet");
    assertThat(review.changed()).extracting(MethodReview::method).containsExactly("greet", "limit");
    assertThat(review.warnings()).singleElement()
        .satisfies(w -> assertThat(w.toLine()).startsWith("demo.Greeter method limit()I: its bytes differ"));
    String text = Reviewer.plain().render(review);
    assertThat(text).contains("DIFF demo.Greeter.limit()I  NOT LISTED IN THE PATCH\n", "-    BIPUSH 10\n+    BIPUSH 20\n");
    assertThat(text).contains("summary      1 method changed in 1 class, 0 refused, 1 warning");
  }

  @Test
  void aFingerprintThatDoesNotMatchTheBytesIsFlagged() {
    Patch honest = ReviewFixtures.patch("demo.Greeter", GREETER, GREETER_FIXED);
    PatchedClass patchedClass = honest.classes().get(0);
    PatchedMethod greet = patchedClass.methods().get(0);
    PatchedMethod lying = new PatchedMethod(greet.name(), greet.descriptor(), greet.kind(),
        "00000000000000000000000000000000", greet.newFingerprint());
    Patch patch = withClasses(honest, List.of(new PatchedClass(patchedClass.name(), patchedClass.baseBytes(),
        patchedClass.newBytes(), List.of(lying))));

    assertThat(Review.of(patch).warnings()).singleElement().satisfies(w -> assertThat(w.message())
        .startsWith("the expected fingerprint 00000000000000000000000000000000 is not that of the base bytes ("
            + greet.expectedFingerprint() + ")"));
  }

  @Test
  void unreadableClassBytesAreReportedNotThrown() {
    Patch honest = ReviewFixtures.patch("demo.Greeter", GREETER, GREETER_FIXED);
    PatchedClass patchedClass = honest.classes().get(0);
    Patch patch = withClasses(honest, List.of(new PatchedClass(patchedClass.name(), new byte[] {0x0c, 0x0a},
        patchedClass.newBytes(), patchedClass.methods())));

    Review review = Review.of(patch);

    assertThat(review.warnings()).singleElement()
        .satisfies(w -> assertThat(w.message()).startsWith("its class bytes cannot be read"));
    assertThat(review.changed()).singleElement().satisfies(m -> assertThat(m.disassembled()).isFalse());
  }

  @Test
  void identicalDisassemblyIsSaidSo() {
    MethodReview same = new MethodReview("demo.A", "m", "()V", Optional.of(ChangeKind.IN_PLACE),
        List.of("public m()V", "    RETURN"), List.of("public m()V", "    RETURN"), true);

    assertThat(same.unifiedDiff(3)).isEmpty();
    Review review = new Review(Optional.of("p"), "", Optional.of("base"), BuildInfo.UNKNOWN, BuildInfo.UNKNOWN,
        Optional.of(17), List.of(same), List.of(), List.of(), List.of(), List.of(), List.of());
    assertThat(Reviewer.plain().render(review)).contains("  depends on   patch base\n",
        "DIFF demo.A.m()V  in-place\n  (the normalised disassembly is identical)\n");
  }

  private static byte[] compile(String source) {
    return InMemoryCompiler.compile(Map.of("demo.Greeter", source), "-g").get("demo.Greeter");
  }

  private static Patch withClasses(Patch patch, List<PatchedClass> classes) {
    return new Patch(patch.id(), patch.description(), patch.depends(), patch.toolVersion(), patch.oldBuild(),
        patch.newBuild(), patch.minJavaVersion(), classes, patch.hooks(), new ArrayList<>(patch.warnings()),
        patch.ignored(), patch.renamed());
  }

  @Test
  void aTrampolinePatchShowsWhereEachBodyGoesItsShadowFieldsAddedClassesAndGuards() {
    Patch patch = org.jlivepatch.core.payload.PayloadFixtures.trampolinePatch();

    Review review = Review.of(patch);
    String text = Reviewer.plain().render(review);

    assertThat(review.shadowFields()).extracting(ShadowFieldReview::qualifiedName)
        .containsExactly("demo.Codec.depth:I", "demo.Codec.calls:I");
    assertThat(text).contains(
        "  summary      4 methods changed in 1 class (1 trampoline), 2 methods added, 2 shadow fields, 1 added class, "
            + "1 guard, 0 refused, 2 warnings",
        "CHANGED (4)\n"
            + "  demo.Codec.encode(Ljava/lang/String;)Ljava/lang/String;  trampoline: runs in hidden class "
            + "demo.Codec$$Jlp; demo.Codec.encode becomes an entry redirect\n"
            + "  demo.Codec.decode(Ljava/lang/String;)Ljava/lang/String;  in place\n"
            + "  demo.Codec.check(Ljava/lang/String;)I  added: lives in hidden class demo.Codec$$Jlp\n"
            + "  demo.Codec.lambda$encode$0(Ljava/lang/String;)Ljava/lang/String;  added: lives in hidden class "
            + "demo.Codec$$Jlp\n",
        "SHADOW FIELDS (2): fields the fix adds, kept outside the objects\n"
            + "  demo.Codec.depth:I becomes a shadow field: the patch's code keeps its value outside the objects, "
            + "weakly keyed by identity; objects that exist before the patch see 0 until it is set; a hook can "
            + "initialise it\n"
            + "  demo.Codec.calls:I becomes a static shadow field: the patch's code keeps its value in one holder "
            + "outside the class, which starts at 0 (its initializer, if any, does not run); a hook can set it\n",
        "ADDED CLASSES (1)\n  demo.Brackets  defined in the loader and package of demo.Codec\n",
        "GUARDS (1): no thread switches to the patch while running one\n"
            + "  demo.Client.roundTrip(Ldemo/Codec;Ljava/lang/String;)Ljava/lang/String;  calls "
            + "demo.Codec.encode(Ljava/lang/String;)Ljava/lang/String; and "
            + "demo.Codec.decode(Ljava/lang/String;)Ljava/lang/String;\n",
        "DIFF demo.Codec.check(Ljava/lang/String;)I  added\n");
    // An added method has no old side, and the review finds nothing unlisted in the logical class.
    assertThat(review.changed()).filteredOn(m -> m.method().equals("check")).singleElement()
        .satisfies(m -> assertThat(m.oldLines()).isEmpty());
    assertThat(review.changed()).allMatch(MethodReview::listed);
    assertThat(review.warnings()).extracting(w -> w.member()).doesNotContain("method check(Ljava/lang/String;)I");
  }
}
