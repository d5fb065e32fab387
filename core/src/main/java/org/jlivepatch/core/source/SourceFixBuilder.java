package org.jlivepatch.core.source;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.diff.ChangedMethod;
import org.jlivepatch.core.diff.ClassDiffer;
import org.jlivepatch.core.diff.DiffOptions;
import org.jlivepatch.core.diff.DiffResult;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.BuildInfo;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.Ignored;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.model.Refusal;
import org.jlivepatch.core.model.Renamed;
import org.jlivepatch.core.model.Warning;
import org.jlivepatch.core.splice.ClassSplicer;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Builds a patch for a vendor's deployed classes from their sources and a source fix: the analog
 * of kpatch's {@code create-diff-object} taking only the functions a fix changes.
 *
 * <p>The touched source files are compiled twice, original and patched, by the same javac with the
 * same options: {@code --release} from the vendor classes' class-file version, and {@code -g} and
 * {@code -parameters} as far as the vendor classes carry that information, so compiler noise
 * cancels out. The two compilations are compared with {@link ClassDiffer}; the bodies of the
 * methods the fix changes are then spliced into the vendor's own class bytes, every other method
 * staying byte for byte as it runs, and the expectations are the vendor methods' fingerprints.
 * Synthetics (lambda bodies, accessors, anonymous classes) that the recompile numbers differently
 * from the vendor's build are given the vendor's names.
 *
 * <p>What the differ refuses is refused here too. A method the fix changes whose recompiled
 * original differs from the vendor's bytes (another compiler) is patched with a warning: the
 * review shows the vendor's bytes against the new ones.
 */
public final class SourceFixBuilder {

  private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

  private SourceFixBuilder() {}

  /**
   * Builds the difference a source fix makes to the vendor's classes.
   *
   * @param vendor the classes that run (the vendor jar)
   * @param classPath further classes the sources compile against (the vendor jar's dependencies)
   * @param originals the touched source files as the vendor's sources have them, by path; a file
   *     the fix creates is absent
   * @param patched the touched source files with the fix, by path
   * @return the classified difference; its classes carry the vendor's bytes as base
   * @throws CompilationFailedException if either version does not compile
   * @throws SourceFixException if no class of the touched files is in the vendor's classes
   */
  public static DiffResult build(ClassSet vendor, List<ClassSet> classPath, Map<String, String> originals,
      Map<String, String> patched) throws SourceFixException {
    Objects.requireNonNull(vendor, "vendor");
    Objects.requireNonNull(classPath, "classPath");
    if (patched.isEmpty()) {
      throw new SourceFixException("the fix touches no source file");
    }
    Map<String, byte[]> vendorClasses = vendorClassesOf(vendor, patched);
    List<String> options = compilerOptions(vendorClasses.values());
    List<ClassSet> compileAgainst = new ArrayList<>();
    compileAgainst.add(vendor);
    compileAgainst.addAll(classPath);
    Map<String, byte[]> original = SourceCompiler.compile("original", originals, compileAgainst, options);
    Map<String, byte[]> fixed = SourceCompiler.compile("patched", patched, compileAgainst, options);

    String compiler = "javac " + Runtime.version();
    String compilerOptions = String.join(" ", options.subList(0, options.indexOf("-proc:none")));
    ClassSet originalSet = classSet(original);
    DiffResult fix = ClassDiffer.diff(originalSet, classSet(fixed), DiffOptions.ALL);
    // The vendor's classes of the same nests against their recompile: renumbered synthetics, and
    // methods the vendor's compiler made differently.
    Map<String, byte[]> vendorNests = new TreeMap<>();
    Set<String> topLevels = new HashSet<>();
    original.keySet().forEach(name -> topLevels.add(topLevel(name)));
    fixed.keySet().forEach(name -> topLevels.add(topLevel(name)));
    vendor.classes().forEach((name, bytes) -> {
      if (topLevels.contains(topLevel(name))) {
        vendorNests.put(name, bytes);
      }
    });
    DiffResult base = ClassDiffer.diff(classSet(vendorNests), originalSet, DiffOptions.ALL);
    VendorNames names = new VendorNames(base.renamed());

    List<Refusal> refused = new ArrayList<>(fix.refused());
    List<Warning> warnings = new ArrayList<>(fix.warnings());
    List<Ignored> ignored = new ArrayList<>(fix.ignored());
    List<Renamed> renamed = new ArrayList<>(fix.renamed());
    renamed.addAll(base.renamed());
    Set<String> baseChanged = new HashSet<>();
    base.changed().forEach(m -> baseChanged.add(m.className() + "." + m.method() + m.descriptor()));
    Map<String, List<Refusal>> mismatches = new HashMap<>();
    base.refused().forEach(r -> mismatches.computeIfAbsent(r.className(), c -> new ArrayList<>()).add(r));
    base.warnings().stream().filter(w -> !w.className().isEmpty()).forEach(w -> warnings.add(new Warning(
        w.className(), w.member(), "the vendor's class and its recompiled original differ: " + w.message())));

    List<ChangedMethod> changed = new ArrayList<>();
    List<PatchedClass> classes = new ArrayList<>();
    Set<String> fixChanged = new HashSet<>();
    for (PatchedClass recompiled : fix.classes()) {
      String className = names.className(recompiled.name());
      byte[] vendorBytes = vendor.classes().get(className);
      if (vendorBytes == null) {
        refused.add(new Refusal(className, "", "class compiled from the sources is not among the vendor's classes: "
            + "the sources are not those of the vendor jar"));
        continue;
      }
      if (recompiled.needsTrampoline()) {
        refused.add(new Refusal(className, "", "the fix adds methods, lambdas or fields to the class, which only a "
            + "trampoline carries, and a build from sources carries in-place changes only; build the patch from "
            + "two compiled builds (--old/--new), or keep the fix to method bodies"));
        continue;
      }
      List<Refusal> mismatch = mismatches.getOrDefault(className, List.of());
      if (!mismatch.isEmpty()) {
        mismatch.forEach(r -> refused.add(new Refusal(className, r.member(), "the sources do not match the vendor's "
            + "class (recompiled without the fix, it differs structurally): " + r.reason()
            + "; use the sources of exactly the vendor jar's version")));
        continue;
      }
      Map<String, String> vendorPrints = Fingerprints.ofClass(vendorBytes);
      List<String> keys = new ArrayList<>();
      boolean missing = false;
      for (PatchedMethod method : recompiled.methods()) {
        String key = names.methodName(recompiled.name(), method.name()) + method.descriptor();
        if (!vendorPrints.containsKey(key)) {
          refused.add(new Refusal(className, "method " + key, "method is not in the vendor's class: the sources "
              + "are not those of the vendor jar"));
          missing = true;
        }
        keys.add(key);
      }
      if (missing) {
        continue;
      }
      byte[] spliced = ClassSplicer.splice(vendorBytes, names.apply(recompiled.newBytes()), keys);
      Map<String, String> newPrints = Fingerprints.ofClass(spliced);
      List<PatchedMethod> methods = new ArrayList<>();
      for (String key : keys) {
        int paren = key.indexOf('(');
        String name = key.substring(0, paren);
        String descriptor = key.substring(paren);
        methods.add(new PatchedMethod(name, descriptor, ChangeKind.IN_PLACE, vendorPrints.get(key), newPrints.get(key)));
        changed.add(new ChangedMethod(className, name, descriptor, ChangeKind.IN_PLACE));
        fixChanged.add(className + "." + key);
        if (baseChanged.contains(className + "." + key)) {
          warnings.add(new Warning(className, "method " + key, "recompiled original differs from the vendor's bytes "
              + "(another compiler or another source version): review the diff against the vendor, which shows "
              + "the vendor's bytes, not the recompiled ones, against the new code"));
        }
      }
      classes.add(new PatchedClass(className, vendorBytes, spliced, methods));
    }
    for (ChangedMethod method : base.changed()) {
      if (!fixChanged.contains(method.className() + "." + method.method() + method.descriptor())) {
        ignored.add(new Ignored(method.className(), method.method(), method.descriptor(),
            "differs between the vendor's bytes and the recompiled original, but the fix does not change it: "
                + "the vendor's bytes stay"));
      }
    }
    fix.addedClasses().forEach(added -> refused.add(new Refusal(added.name(), "", "added class: a build from "
        + "sources carries in-place changes only; build the patch from two compiled builds (--old/--new)")));
    BuildInfo vendorBuild = vendor.buildInfo();
    BuildInfo fixBuild = new BuildInfo(compiler, majorOf(vendorClasses.values()));
    if (!vendorBuild.buildJdk().isEmpty()) {
      warnings.add(new Warning("", "", "the vendor classes were built by JDK " + vendorBuild.buildJdk()
          + " (their manifest says); the fix was compiled by " + compiler + " with " + compilerOptions
          + ": only the methods the fix changes are taken from that compilation, every other method keeps the "
          + "vendor's bytes"));
    }
    // Sorted as the differ sorts, so equal inputs give equal results.
    changed.sort(java.util.Comparator.comparing(ChangedMethod::className));
    classes.sort(java.util.Comparator.comparing(PatchedClass::name));
    return new DiffResult(changed, ignored, refused, warnings, renamed, refused.isEmpty() ? classes : List.of(),
        vendorBuild, fixBuild);
  }

  /**
   * The javac options that compile like the vendor's build, as far as its classes tell:
   * {@code --release} from the class-file version, {@code -g:} with what debug information the
   * classes carry, {@code -parameters} if they have parameter names.
   *
   * @param vendorClasses class files of the vendor build, at least one
   */
  public static List<String> compilerOptions(Collection<byte[]> vendorClasses) {
    boolean lines = false;
    boolean vars = false;
    boolean source = false;
    boolean parameters = false;
    for (byte[] bytes : vendorClasses) {
      ClassNode node = new ClassNode();
      new ClassReader(bytes).accept(node, ClassReader.SKIP_FRAMES);
      source |= node.sourceFile != null;
      for (MethodNode method : node.methods) {
        vars |= method.localVariables != null && !method.localVariables.isEmpty();
        parameters |= method.parameters != null && !method.parameters.isEmpty();
        for (var insn = method.instructions.getFirst(); insn != null && !lines; insn = insn.getNext()) {
          lines = insn instanceof LineNumberNode;
        }
      }
    }
    List<String> options = new ArrayList<>();
    options.add("--release");
    options.add(Integer.toString(Math.max(8, majorOf(vendorClasses) - 44)));
    List<String> debug = new ArrayList<>();
    if (source) {
      debug.add("source");
    }
    if (lines) {
      debug.add("lines");
    }
    if (vars) {
      debug.add("vars");
    }
    options.add(debug.isEmpty() ? "-g:none" : "-g:" + String.join(",", debug));
    if (parameters) {
      options.add("-parameters");
    }
    // No annotation processing, no warnings about the old --release: only the code matters.
    options.addAll(List.of("-proc:none", "-implicit:none", "-nowarn", "-Xlint:-options", "-encoding", "UTF-8"));
    return options;
  }

  /** The vendor's classes compiled from the touched files, found by each file's package and name. */
  private static Map<String, byte[]> vendorClassesOf(ClassSet vendor, Map<String, String> patched)
      throws SourceFixException {
    Map<String, byte[]> found = new LinkedHashMap<>();
    Set<String> expected = new TreeSet<>();
    patched.forEach((path, text) -> {
      Matcher matcher = PACKAGE.matcher(text);
      String pkg = matcher.find() ? matcher.group(1) + "." : "";
      String file = path.substring(path.lastIndexOf('/') + 1);
      String topLevel = pkg + (file.endsWith(".java") ? file.substring(0, file.length() - 5) : file);
      expected.add(topLevel);
      vendor.classes().forEach((name, bytes) -> {
        if (topLevel(name).equals(topLevel)) {
          found.put(name, bytes);
        }
      });
    });
    if (found.isEmpty()) {
      throw new SourceFixException("none of the classes of the touched files " + expected
          + " is among the vendor's classes: is --old the jar these sources belong to?");
    }
    return found;
  }

  private static int majorOf(Collection<byte[]> classes) {
    int major = 0;
    for (byte[] bytes : classes) {
      major = Math.max(major, ((bytes[6] & 0xFF) << 8) | (bytes[7] & 0xFF));
    }
    return major;
  }

  private static ClassSet classSet(Map<String, byte[]> classes) {
    ClassSet.Builder builder = ClassSet.builder();
    classes.forEach(builder::add);
    return builder.build();
  }

  /** The top-level class of a binary name: up to the first {@code $} of the simple name. */
  private static String topLevel(String binaryName) {
    int dot = binaryName.lastIndexOf('.');
    int dollar = binaryName.indexOf('$', dot + 1);
    return dollar <= dot + 1 ? binaryName : binaryName.substring(0, dollar);
  }
}
