package org.jlivepatch.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.diff.ClassDiffer;
import org.jlivepatch.core.diff.DiffOptions;
import org.jlivepatch.core.diff.DiffResult;
import org.jlivepatch.core.payload.Payload;
import org.jlivepatch.core.payload.PayloadException;
import org.jlivepatch.core.payload.TrustedKeys;
import org.jlivepatch.core.review.Review;
import org.jlivepatch.core.review.Reviewer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jlivepatch review}: shows a person what a patch changes, as a diff of each changed
 * method's normalised disassembly under a summary of what changed, what was refused, every
 * warning and what was ignored. Reviews a payload, or two class sets before a patch is built.
 */
@Command(
    name = "review",
    sortOptions = false,
    description = {
      "Show what a patch changes, as a reviewer needs to see it.",
      "A summary (changed methods and where each new body goes: in place, trampoline or added; shadow fields, "
          + "added classes, guards; refusals and the way out, warnings, ignored differences and why, "
          + "renamed synthetic members), then a unified diff of each changed method's normalised disassembly, "
          + "exactly as the patch carries it. Review a payload (FILE.jlp), or two builds before a patch is built "
          + "(--old/--new; exit 3 if something would be refused)."
    })
final class ReviewCommand implements Callable<Integer> {

  /** When to write ANSI colour. */
  enum ColorMode {
    /** When standard output is a terminal that is not dumb, {@code NO_COLOR} is unset and not {@code --json}. */
    auto,
    /** Always, even into a pipe. */
    always,
    /** Never. */
    never
  }

  @Spec CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "FILE.jlp", description = "The payload to review.")
  Path payloadFile;

  @Option(names = "--trust", paramLabel = "PUB",
      description = "Verify the payload's signature against the public keys in this PEM file (see 'keygen'); "
          + "exit 3 if it is unsigned or does not verify. Repeatable.")
  List<Path> trustFiles = new ArrayList<>();

  @Option(names = "--old", paramLabel = "PATH",
      description = "Instead of a payload: the classes that run (a jar, a fat jar or a directory of classes).")
  Path oldPath;

  @Option(names = "--new", paramLabel = "PATH", description = "With --old: the same classes built with the fix.")
  Path newPath;

  @Option(names = "--include", paramLabel = "GLOB",
      description = "With --old/--new: review only classes matching GLOB (binary names; '*' within a package, "
          + "'**' across). Repeatable.")
  List<String> includes = new ArrayList<>();

  @Option(names = "--exclude", paramLabel = "GLOB",
      description = "With --old/--new: leave out classes matching GLOB. Repeatable.")
  List<String> excludes = new ArrayList<>();

  @Option(names = "--guard", paramLabel = "CLASS#METHOD[(DESC)]",
      description = "With --old/--new: a method outside the patch to guard, as 'build --guard' takes it. Repeatable.")
  List<String> guards = new ArrayList<>();

  @Option(names = {"--color", "--colour"}, paramLabel = "WHEN", defaultValue = "auto",
      description = "Colour the text: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}: on a terminal only, "
          + "not with NO_COLOR set or --json).")
  ColorMode color;

  @Option(names = {"-U", "--context"}, paramLabel = "N", defaultValue = "" + Reviewer.DEFAULT_CONTEXT_LINES,
      description = "Unchanged lines shown around each change (default: ${DEFAULT-VALUE}).")
  int contextLines;

  @Mixin JsonMixin json;

  @Override
  public Integer call() {
    checkArguments();
    Reviewer reviewer = Reviewer.plain().withContextLines(contextLines).withColour(colourWanted());
    if (payloadFile != null) {
      reviewPayload(reviewer);
      return ExitCode.OK;
    }
    return reviewDifference(reviewer);
  }

  private void checkArguments() {
    boolean diffMode = oldPath != null || newPath != null;
    if (payloadFile != null && diffMode) {
      throw usage("give either FILE.jlp or --old and --new, not both");
    }
    if (payloadFile == null && !diffMode) {
      throw usage("give a payload FILE.jlp to review, or --old PATH and --new PATH");
    }
    if (diffMode && (oldPath == null || newPath == null)) {
      throw usage(oldPath == null ? "--new needs --old" : "--old needs --new");
    }
    if (diffMode && !trustFiles.isEmpty()) {
      throw usage("--trust verifies a payload; it does not apply to --old/--new");
    }
    if (payloadFile != null && !(includes.isEmpty() && excludes.isEmpty())) {
      throw usage("--include and --exclude select classes to compare with --old/--new; a payload is reviewed whole");
    }
    if (payloadFile != null && !guards.isEmpty()) {
      throw usage("--guard goes with --old/--new; a payload carries its guards");
    }
    if (contextLines < 0) {
      throw usage("--context must not be negative");
    }
  }

  private void reviewPayload(Reviewer reviewer) {
    List<PublicKey> keys = KeyFiles.readPublicKeys("--trust", trustFiles);
    Payload payload = PayloadFiles.read(payloadFile).payload();
    boolean verified = false;
    if (!keys.isEmpty()) {
      try {
        new TrustedKeys(keys).verify(payload);
        verified = true;
      } catch (PayloadException e) {
        throw PayloadFiles.refused(payloadFile, e);
      }
    }

    Review review = Review.of(payload.patch());
    String signature;
    if (payload.signature().isEmpty()) {
      signature = "unsigned";
    } else if (verified) {
      signature = "verified: signed by trusted key " + payload.signature().get().keyId();
    } else {
      signature = "signed by key " + payload.signature().get().keyId() + ", not verified (give --trust PUB to check it)";
    }
    if (json.enabled()) {
      Map<String, Object> object = ReportJson.of(review, contextLines);
      Map<String, Object> source = new LinkedHashMap<>();
      source.put("file", payloadFile.toString());
      source.put("contentHash", payload.contentHash());
      source.put("signed", payload.signature().isPresent());
      source.put("keyId", payload.signature().map(s -> s.keyId()).orElse(null));
      source.put("verified", verified);
      object.put("payload", source);
      JsonOutput.print(out(), object);
      return;
    }
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("payload", payloadFile + " (content sha256 " + payload.contentHash() + ")");
    facts.put("signature", signature);
    print(reviewer.render(review, facts));
  }

  private int reviewDifference(Reviewer reviewer) {
    DiffOptions options;
    try {
      options = new DiffOptions(includes, excludes, guards);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    ClassSet oldClasses = ClassSets.load("--old", oldPath);
    ClassSet newClasses = ClassSets.load("--new", newPath);
    DiffResult result = ClassDiffer.diff(oldClasses, newClasses, options);
    Review review = Review.of(result);
    if (json.enabled()) {
      Map<String, Object> object = ReportJson.of(review, contextLines);
      object.put("old", oldPath.toString());
      object.put("new", newPath.toString());
      JsonOutput.print(out(), object);
    } else {
      Map<String, String> facts = new LinkedHashMap<>();
      facts.put("old", oldPath.toString());
      facts.put("new", newPath.toString());
      print(reviewer.render(review, facts));
    }
    if (result.refused().isEmpty()) {
      return ExitCode.OK;
    }
    PrintWriter err = spec.commandLine().getErr();
    err.println("jlivepatch: refused: " + result.refused().size()
        + " difference(s) cannot be patched safely; see REFUSED in the review");
    err.flush();
    return ExitCode.REFUSED;
  }

  private boolean colourWanted() {
    return switch (color) {
      case always -> !json.enabled();
      case never -> false;
      case auto -> !json.enabled()
          && System.console() != null
          && !"dumb".equals(System.getenv("TERM"))
          && (System.getenv("NO_COLOR") == null || System.getenv("NO_COLOR").isEmpty());
    };
  }

  private void print(String text) {
    PrintWriter out = out();
    out.print(text);
    out.flush();
  }

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
