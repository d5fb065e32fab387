package org.jlivepatch.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.AddedClass;
import org.jlivepatch.core.model.BuildInfo;
import org.jlivepatch.core.model.Guard;
import org.jlivepatch.core.model.HookClass;
import org.jlivepatch.core.model.Ignored;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.model.Renamed;
import org.jlivepatch.core.model.ShadowField;
import org.jlivepatch.core.model.Warning;
import org.jlivepatch.core.payload.Payload;
import org.jlivepatch.core.payload.PayloadException;
import org.jlivepatch.core.payload.TrustedKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jlivepatch inspect}: prints what a payload holds and whether its signature verifies. */
@Command(
    name = "inspect",
    sortOptions = false,
    description = {
      "Check a payload and print what it holds.",
      "Its metadata, each patched class and method with its kind (in-place, trampoline, added) and its "
          + "expected -> new fingerprint, shadow fields, added classes, guards, hooks, "
          + "warnings, ignored differences, renamed synthetic members, and its signature: unsigned, or signed by "
          + "a key id, verified against --trust or not. Exit 3 if the payload is invalid, or if --trust is given "
          + "and the signature does not verify."
    })
final class InspectCommand implements Callable<Integer> {

  /** How the signature fared. */
  enum SignatureState {
    unsigned, notVerified, verified, failed
  }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE.jlp", description = "The payload to inspect.")
  Path file;

  @Option(names = "--trust", paramLabel = "PUB",
      description = "Verify the signature against the public keys in this PEM file. Repeatable.")
  List<Path> trustFiles = new ArrayList<>();

  @Mixin PayloadLimitOptions limitOptions;

  @Mixin JsonMixin json;

  @Override
  public Integer call() {
    List<java.security.PublicKey> keys = KeyFiles.readPublicKeys("--trust", trustFiles);
    Payload payload = PayloadFiles.read(file, limitOptions.limits()).payload();

    SignatureState state;
    String problem = null;
    if (keys.isEmpty()) {
      state = payload.signature().isPresent() ? SignatureState.notVerified : SignatureState.unsigned;
    } else {
      try {
        new TrustedKeys(keys).verify(payload);
        state = SignatureState.verified;
      } catch (PayloadException e) {
        state = SignatureState.failed;
        problem = e.getMessage();
      }
    }

    if (json.enabled()) {
      JsonOutput.print(spec.commandLine().getOut(), json(payload, state, problem));
    } else {
      printText(spec.commandLine().getOut(), payload, state, problem);
    }
    if (problem != null) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("jlivepatch: payload " + file + " refused: " + problem);
      err.flush();
      return ExitCode.REFUSED;
    }
    return ExitCode.OK;
  }

  private static String signatureLine(Payload payload, SignatureState state, String problem) {
    String keyId = payload.signature().map(s -> s.keyId()).orElse(null);
    return switch (state) {
      case unsigned -> "unsigned";
      case notVerified -> "signed by " + keyId + " (not verified: no trusted key given)";
      case verified -> "signed by " + keyId + " (verified)";
      case failed -> (keyId == null ? "unsigned" : "signed by " + keyId) + " (FAILED: " + problem + ")";
    };
  }

  private void printText(PrintWriter out, Payload payload, SignatureState state, String problem) {
    Patch patch = payload.patch();
    row(out, "payload", file.toString());
    row(out, "patch", patch.id());
    row(out, "description", patch.description().isEmpty() ? "(none)" : patch.description());
    row(out, "depends", patch.depends().orElse("(none: applies to unpatched classes)"));
    row(out, "format", payload.formatVersion() + ", fingerprints " + Fingerprints.ALGORITHM);
    row(out, "built by", "jlivepatch " + patch.toolVersion());
    row(out, "old build", build(patch.oldBuild()));
    row(out, "new build", build(patch.newBuild()));
    row(out, "min Java", Integer.toString(patch.minJavaVersion()));
    row(out, "content", "sha256:" + payload.contentHash());
    row(out, "signature", signatureLine(payload, state, problem));

    out.printf("%n%d %s, %d %s:%n", patch.classes().size(), plural(patch.classes().size(), "class", "classes"),
        patch.methodCount(), plural(patch.methodCount(), "method", "methods"));
    for (PatchedClass c : patch.classes()) {
      out.println("  " + c.name());
      for (PatchedMethod m : c.methods()) {
        out.printf("    %-10s %s%n", m.kind().label(), m.key());
        out.printf("               %s -> %s%n", m.expectedFingerprint().isEmpty() ? "(added)" : m.expectedFingerprint(),
            m.newFingerprint());
      }
      for (ShadowField f : c.shadowFields()) {
        out.printf("    %-10s %s%n", "shadow", f.key() + (f.isStatic() ? " (static)" : ""));
      }
    }
    section(out, "added classes", patch.addedClasses(), a -> a.name() + " (defined in the loader and package of "
        + a.host() + ")");
    section(out, "guards", patch.guards(), g -> g.className() + "." + g.method() + g.descriptor() + ": " + g.reason());
    section(out, "hooks", patch.hooks(), h -> h.name() + (h.entryPoint() ? " (entry point)" : " (helper)"));
    section(out, "warnings", patch.warnings(), Warning::toLine);
    section(out, "ignored", patch.ignored(), g -> g.className()
        + (g.method().isEmpty() ? "" : " " + g.method() + g.descriptor()) + ": " + g.reason());
    section(out, "renamed", patch.renamed(), r -> r.className() + " " + r.kind() + " " + r.oldName() + " -> "
        + r.newName() + " (the patch keeps " + r.oldName() + ")");
    out.flush();
  }

  private static void row(PrintWriter out, String label, String value) {
    String indent = " ".repeat(13);
    out.printf("%-12s %s%n", label, value.replace("\r\n", "\n").replace("\n", "\n" + indent));
  }

  private interface Line<T> {
    String of(T item);
  }

  private static <T> void section(PrintWriter out, String title, List<T> items, Line<T> line) {
    if (items.isEmpty()) {
      return;
    }
    out.printf("%n%s (%d):%n", title, items.size());
    for (T item : items) {
      out.println("  " + line.of(item).replace("\n", "\n    "));
    }
  }

  private static String build(BuildInfo build) {
    String jdk = build.buildJdk().isEmpty() ? "JDK unknown" : "JDK " + build.buildJdk();
    return build.majorVersion() == 0 ? jdk : jdk + ", class files version " + build.majorVersion();
  }

  private static String plural(int n, String one, String many) {
    return n == 1 ? one : many;
  }

  private Map<String, Object> json(Payload payload, SignatureState state, String problem) {
    Patch patch = payload.patch();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("file", file.toString());
    result.put("id", patch.id());
    result.put("description", patch.description());
    result.put("depends", patch.depends().orElse(null));
    result.put("format", payload.formatVersion());
    result.put("fingerprintAlgorithm", Fingerprints.ALGORITHM);
    result.put("toolVersion", patch.toolVersion());
    result.put("oldBuild", buildJson(patch.oldBuild()));
    result.put("newBuild", buildJson(patch.newBuild()));
    result.put("minJavaVersion", patch.minJavaVersion());
    result.put("contentHash", payload.contentHash());
    Map<String, Object> signature = new LinkedHashMap<>();
    signature.put("state", switch (state) {
      case unsigned -> "unsigned";
      case notVerified -> "not verified";
      case verified -> "verified";
      case failed -> "failed";
    });
    signature.put("keyId", payload.signature().map(s -> s.keyId()).orElse(null));
    signature.put("problem", problem);
    result.put("signature", signature);
    result.put("methodCount", patch.methodCount());
    List<Object> classes = new ArrayList<>();
    for (PatchedClass c : patch.classes()) {
      Map<String, Object> cls = new LinkedHashMap<>();
      cls.put("name", c.name());
      List<Object> methods = new ArrayList<>();
      for (PatchedMethod m : c.methods()) {
        Map<String, Object> method = new LinkedHashMap<>();
        method.put("name", m.name());
        method.put("descriptor", m.descriptor());
        method.put("kind", m.kind().label());
        method.put("expectedFingerprint", m.expectedFingerprint());
        method.put("newFingerprint", m.newFingerprint());
        methods.add(method);
      }
      cls.put("methods", methods);
      List<Object> shadows = new ArrayList<>();
      for (ShadowField f : c.shadowFields()) {
        shadows.add(ordered("name", f.name(), "descriptor", f.descriptor(), "static", f.isStatic()));
      }
      cls.put("shadowFields", shadows);
      classes.add(cls);
    }
    result.put("classes", classes);
    List<Object> added = new ArrayList<>();
    for (AddedClass a : patch.addedClasses()) {
      added.add(ordered("name", a.name(), "host", a.host()));
    }
    result.put("addedClasses", added);
    List<Object> guards = new ArrayList<>();
    for (Guard g : patch.guards()) {
      guards.add(ordered("className", g.className(), "method", g.method(), "descriptor", g.descriptor(),
          "reason", g.reason()));
    }
    result.put("guards", guards);
    List<Object> hooks = new ArrayList<>();
    for (HookClass h : patch.hooks()) {
      Map<String, Object> hook = new LinkedHashMap<>();
      hook.put("name", h.name());
      hook.put("entryPoint", h.entryPoint());
      hooks.add(hook);
    }
    result.put("hooks", hooks);
    List<Object> warnings = new ArrayList<>();
    for (Warning w : patch.warnings()) {
      warnings.add(ordered("className", w.className(), "member", w.member(), "message", w.message()));
    }
    result.put("warnings", warnings);
    List<Object> ignored = new ArrayList<>();
    for (Ignored g : patch.ignored()) {
      ignored.add(ordered("className", g.className(), "method", g.method(), "descriptor", g.descriptor(),
          "reason", g.reason()));
    }
    result.put("ignored", ignored);
    List<Object> renamed = new ArrayList<>();
    for (Renamed r : patch.renamed()) {
      renamed.add(ordered("className", r.className(), "kind", r.kind(), "oldName", r.oldName(), "newName", r.newName()));
    }
    result.put("renamed", renamed);
    return result;
  }

  /** A map keeping the order of {@code keysAndValues}, so the JSON reads in a stable order. */
  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private static Map<String, Object> buildJson(BuildInfo build) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("jdk", build.buildJdk());
    result.put("classFileMajorVersion", build.majorVersion());
    return result;
  }
}
