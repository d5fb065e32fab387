package org.jlivepatch.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.diff.ChangedMethod;
import org.jlivepatch.core.diff.ClassDiffer;
import org.jlivepatch.core.diff.DiffOptions;
import org.jlivepatch.core.diff.DiffResult;
import org.jlivepatch.core.model.AddedClass;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.Guard;
import org.jlivepatch.core.model.HookClass;
import org.jlivepatch.core.model.Ignored;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchId;
import org.jlivepatch.core.model.Refusal;
import org.jlivepatch.core.model.Warning;
import org.jlivepatch.core.payload.PayloadWriter;
import org.objectweb.asm.ClassReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jlivepatch build}: diffs two builds of a class set and writes the patch payload. */
@Command(
    name = "build",
    sortOptions = false,
    description = {
      "Build a patch payload from the classes that run and the classes with the fix.",
      "Compares --old and --new method by method. Compiler noise (line numbers, renumbered lambdas, debug "
          + "information) is left out. Changed bodies are patched in place; a body that uses a method, lambda or "
          + "field the fix adds gets a trampoline (its new body runs in a hidden nestmate class), added fields "
          + "become shadow fields, added classes are defined beside an existing class of their package, and "
          + "methods that call two or more patched methods become guards. What cannot be patched safely is refused "
          + "with the reason and the way out, and nothing is written (exit 3).",
      "For a vendor jar, give its sources and the fix instead of --new (--sources with --patch or --new-sources): "
          + "only the methods the fix changes are spliced into the vendor's own classes. Or make one method only "
          + "return or throw (--stub with --returns), until a fix exists. See docs/patch-author-guide.md."
    })
final class BuildCommand implements Callable<Integer> {

  private static final String HOOK_INTERFACE = "org/jlivepatch/api/PatchHook";

  @Spec CommandSpec spec;

  @Option(names = "--old", required = true, paramLabel = "PATH",
      description = "The classes the patch applies to: a jar, a fat jar or a directory of classes.")
  Path oldPath;

  @Option(names = "--new", paramLabel = "PATH",
      description = "The same classes built with the fix.")
  Path newPath;

  @Option(names = "--sources", paramLabel = "SRC",
      description = "Instead of --new: the sources of --old (a -sources jar or a directory), fixed by --patch or "
          + "--new-sources; the touched files are compiled twice, original and fixed, against --old and --classpath, "
          + "and only the methods the fix changes are spliced into the classes of --old.")
  Path sourcesPath;

  @Option(names = "--patch", paramLabel = "FIX.diff",
      description = "With --sources: the fix as a unified diff ('git diff', 'diff -u').")
  Path patchFile;

  @Option(names = "--new-sources", paramLabel = "DIR",
      description = "With --sources, instead of --patch: a directory of the fixed source files.")
  Path newSourcesPath;

  @Option(names = "--classpath", paramLabel = "CP",
      description = "With --sources or --stub: jars and directories the classes of --old need (their dependencies), "
          + "separated by '${sys:path.separator}'.")
  String classPath;

  @Option(names = "--stub", paramLabel = "CLASS#METHOD[(DESC)]",
      description = "Instead of --new: an emergency stub making this method of --old only return or throw, "
          + "e.g. 'com.example.Foo#lookup(Ljava/lang/String;)'; the descriptor may be left out when there is one overload.")
  String stubSpec;

  @Option(names = "--returns", paramLabel = "WHAT",
      description = "With --stub: null, default (0, false, null, nothing), throw:EXCEPTION, or a literal of the "
          + "return type (number, true/false, text for String).")
  String stubReturns;

  @Option(names = "--id", required = true, description = "The patch id (letters, digits, '.', '_', '-').")
  String id;

  @Option(names = "--depends", paramLabel = "ID",
      description = "The id of the patch this one is built on top of (its --old is that patch's --new).")
  String depends;

  @Option(names = "--include", paramLabel = "GLOB",
      description = "Patch only classes matching GLOB (binary names; '*' within a package, '**' across). Repeatable.")
  List<String> includes = new ArrayList<>();

  @Option(names = "--exclude", paramLabel = "GLOB", description = "Leave out classes matching GLOB. Repeatable.")
  List<String> excludes = new ArrayList<>();

  @Option(names = "--guard", paramLabel = "CLASS#METHOD[(DESC)]",
      description = "With --new: a method of --old outside the patch that no thread may be running when it switches "
          + "to the patch's code (per-thread consistency), e.g. 'com.example.Client#roundTrip'; every method of that "
          + "name without a descriptor. Added to the guards found automatically (methods that call two or more "
          + "patched methods). Repeatable.")
  List<String> guards = new ArrayList<>();

  @Option(names = "--description", paramLabel = "TEXT", description = "What the patch fixes, for reviewers and 'list'.")
  String description = "";

  @Option(names = "--hooks", paramLabel = "PATH",
      description = "Hook classes to carry (jar or directory); classes implementing org.jlivepatch.api.PatchHook run in the target around apply and revert.")
  Path hooksPath;

  @Option(names = "--sign", paramLabel = "KEY", description = "Sign the payload with this Ed25519 private key (see 'keygen').")
  Path signingKey;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE.jlp", description = "Where to write the payload.")
  Path output;

  @Mixin JsonMixin json;

  @Override
  public Integer call() throws IOException {
    if (!PatchId.isValid(id)) {
      throw new CliException(ExitCode.USAGE, "invalid --id '" + id
          + "': use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    if (depends != null && !PatchId.isValid(depends)) {
      throw new CliException(ExitCode.USAGE, "invalid --depends '" + depends + "'");
    }
    Optional<PrivateKey> key = signingKey == null ? Optional.empty() : Optional.of(KeyFiles.readPrivateKey("--sign", signingKey));
    List<HookClass> hooks = hooksPath == null ? List.of() : readHooks(hooksPath);

    checkMode();
    DiffOptions options;
    try {
      options = new DiffOptions(includes, excludes, guards);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, e.getMessage());
    }
    ClassSet oldClasses = ClassSets.load("--old", oldPath);
    DiffResult result;
    if (sourcesPath != null) {
      result = SourceFixBuild.build(oldClasses, sourcesPath, patchFile, newSourcesPath, SourceFixBuild.classPath(classPath));
    } else if (stubSpec != null) {
      result = StubBuild.build(oldClasses, SourceFixBuild.classPath(classPath), stubSpec, stubReturns);
    } else {
      ClassSet newClasses = ClassSets.load("--new", newPath);
      result = ClassDiffer.diff(oldClasses, newClasses, options);
    }

    PrintWriter out = spec.commandLine().getOut();
    if (!result.refused().isEmpty()) {
      report(result, null);
      return ExitCode.REFUSED;
    }
    if (result.classes().isEmpty() && sourcesPath != null) {
      throw new CliException(ExitCode.FAILURE, "the fix changes no method of --old"
          + (result.ignored().isEmpty() ? "" : " (" + result.ignored().size() + " difference(s) ignored; see --json)"));
    }
    if (result.classes().isEmpty()) {
      throw new CliException(ExitCode.FAILURE,
          "no method differs between --old and --new" + (includes.isEmpty() && excludes.isEmpty() ? "" : " in the selected classes")
              + (result.ignored().isEmpty() ? "" : " (" + result.ignored().size() + " difference(s) ignored; see 'jlivepatch review --old … --new …')"));
    }
    Patch patch = result.toPatch(id, description, Optional.ofNullable(depends), hooks);
    write(patch, key);
    report(result, patch);
    return ExitCode.OK;
  }

  /** One of three ways to say what the fix is: --new, --sources with --patch or --new-sources, --stub with --returns. */
  private void checkMode() {
    int modes = (newPath != null ? 1 : 0) + (sourcesPath != null ? 1 : 0) + (stubSpec != null ? 1 : 0);
    if (modes != 1) {
      throw new CliException(ExitCode.USAGE, (modes == 0 ? "give " : "give only one of ")
          + "--new PATH, --sources SRC (with --patch or --new-sources), or --stub METHOD (with --returns)");
    }
    if (sourcesPath != null && (patchFile == null) == (newSourcesPath == null)) {
      throw new CliException(ExitCode.USAGE, "--sources needs exactly one of --patch FIX.diff and --new-sources DIR");
    }
    if (sourcesPath == null && (patchFile != null || newSourcesPath != null)) {
      throw new CliException(ExitCode.USAGE, (patchFile != null ? "--patch" : "--new-sources") + " needs --sources");
    }
    if ((stubSpec == null) != (stubReturns == null)) {
      throw new CliException(ExitCode.USAGE, stubSpec == null ? "--returns needs --stub" : "--stub needs --returns");
    }
    if (newPath != null && classPath != null) {
      throw new CliException(ExitCode.USAGE, "--classpath goes with --sources or --stub, not --new");
    }
    if (newPath == null && (!includes.isEmpty() || !excludes.isEmpty())) {
      throw new CliException(ExitCode.USAGE, "--include and --exclude go with --new only");
    }
    if (newPath == null && !guards.isEmpty()) {
      throw new CliException(ExitCode.USAGE, "--guard goes with --new only");
    }
  }

  private void write(Patch patch, Optional<PrivateKey> key) throws IOException {
    Path target = output.toAbsolutePath();
    Path directory = target.getParent();
    Files.createDirectories(directory);
    // Written beside the target and moved into place: a failed build never leaves half a payload.
    Path temporary = Files.createTempFile(directory, "." + target.getFileName(), ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(temporary)) {
        PayloadWriter.write(patch, key, out);
      }
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  private void report(DiffResult result, Patch patch) {
    PrintWriter out = spec.commandLine().getOut();
    if (json.enabled()) {
      Map<String, Object> object = ReportJson.of(result, id);
      object.put("output", patch == null ? null : output.toString());
      JsonOutput.print(out, object);
      return;
    }
    if (patch == null) {
      for (Refusal refusal : result.refused()) {
        out.println("  refused  " + refusal.className() + (refusal.member().isEmpty() ? "" : " " + refusal.member())
            + ": " + refusal.reason());
      }
    } else {
      long trampolines = result.changed().stream().filter(m -> m.kind() == ChangeKind.TRAMPOLINE).count();
      long added = result.changed().stream().filter(m -> m.kind() == ChangeKind.ADDED).count();
      int shadowFields = patch.classes().stream().mapToInt(c -> c.shadowFields().size()).sum();
      out.printf("built %s: %d method(s) in %d class(es), %d trampoline(s), %d added method(s), %d shadow field(s), "
          + "%d added class(es), %d guard(s) -> %s%n", patch.id(), patch.methodCount(), patch.classes().size(),
          trampolines, added, shadowFields, patch.addedClasses().size(), patch.guards().size(), output);
      for (ChangedMethod method : result.changed()) {
        out.printf("  changed  %s.%s%s (%s)%n", method.className(), method.method(), method.descriptor(), method.kind().label());
      }
      for (AddedClass addedClass : patch.addedClasses()) {
        out.printf("  added    %s (defined in the loader and package of %s)%n", addedClass.name(), addedClass.host());
      }
      for (Guard guard : patch.guards()) {
        out.printf("  guard    %s.%s%s: %s%n", guard.className(), guard.method(), guard.descriptor(), guard.reason());
      }
    }
    for (Warning warning : result.warnings()) {
      out.println("  warning  " + warning.toLine());
    }
    for (Ignored ignored : result.ignored()) {
      out.printf("  ignored  %s%s: %s%n", ignored.className(),
          ignored.method().isEmpty() ? "" : "." + ignored.method() + ignored.descriptor(), ignored.reason());
    }
    out.flush();
    if (patch == null) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("jlivepatch: refused: " + result.refused().size()
          + " difference(s) cannot be patched safely; nothing written (--include/--exclude leave out classes that are not part of the fix)");
      err.flush();
    }
  }

  private static List<HookClass> readHooks(Path path) {
    ClassSet set = ClassSets.load("--hooks", path);
    List<HookClass> hooks = new ArrayList<>();
    set.classes().forEach((name, bytes) -> {
      boolean entryPoint = List.of(new ClassReader(bytes).getInterfaces()).contains(HOOK_INTERFACE);
      hooks.add(new HookClass(name, bytes, entryPoint));
    });
    if (hooks.stream().noneMatch(HookClass::entryPoint)) {
      throw new CliException(ExitCode.FAILURE, "--hooks " + path + ": no class implements org.jlivepatch.api.PatchHook");
    }
    return hooks;
  }
}
