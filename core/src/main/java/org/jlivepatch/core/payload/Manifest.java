package org.jlivepatch.core.payload;

import static org.jlivepatch.core.payload.PayloadException.Reason.CORRUPT;
import static org.jlivepatch.core.payload.PayloadException.Reason.TAMPERED;
import static org.jlivepatch.core.payload.PayloadException.Reason.TOO_LARGE;
import static org.jlivepatch.core.payload.PayloadException.Reason.UNSUPPORTED_VERSION;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.AddedClass;
import org.jlivepatch.core.model.BuildInfo;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.Guard;
import org.jlivepatch.core.model.HookClass;
import org.jlivepatch.core.model.Ignored;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.model.Renamed;
import org.jlivepatch.core.model.ShadowField;
import org.jlivepatch.core.model.Warning;

/** The manifest entry: a patch's metadata and the SHA-256 of every other entry, as properties. */
final class Manifest {

  static final String FORMAT_VERSION = "format.version";
  static final String FINGERPRINTS = "fingerprints";
  static final String ENTRY_PREFIX = "entry.";

  private Manifest() {}

  /** The canonical manifest bytes of {@code patch} in the current format version. */
  static byte[] encode(Patch patch) {
    return encode(patch, PayloadFormat.VERSION);
  }

  /**
   * The canonical manifest bytes of {@code patch} in format {@code version}.
   *
   * @throws IllegalArgumentException if the patch has what that version cannot say
   */
  static byte[] encode(Patch patch, int version) {
    boolean v1 = version == PayloadFormat.VERSION_1;
    if (v1 && (patch.needsTrampolines() || !patch.guards().isEmpty())) {
      throw new IllegalArgumentException("patch " + patch.id() + " has trampolines, shadow fields, added classes or "
          + "guards, which format version 1 cannot carry");
    }
    Map<String, String> m = new LinkedHashMap<>();
    m.put(FORMAT_VERSION, Integer.toString(version));
    m.put(FINGERPRINTS, Fingerprints.ALGORITHM);
    m.put("id", patch.id());
    m.put("description", patch.description());
    if (patch.depends().isPresent()) {
      m.put("depends", patch.depends().get());
    }
    m.put("tool.version", patch.toolVersion());
    putBuild(m, "build.old.", patch.oldBuild());
    putBuild(m, "build.new.", patch.newBuild());
    m.put("java.min", Integer.toString(patch.minJavaVersion()));
    List<PatchedClass> classes = patch.classes();
    m.put("class.count", Integer.toString(classes.size()));
    for (int i = 0; i < classes.size(); i++) {
      PatchedClass c = classes.get(i);
      String p = "class." + i + ".";
      m.put(p + "name", c.name());
      m.put(p + "method.count", Integer.toString(c.methods().size()));
      for (int j = 0; j < c.methods().size(); j++) {
        PatchedMethod method = c.methods().get(j);
        String q = p + "method." + j + ".";
        m.put(q + "name", method.name());
        m.put(q + "descriptor", method.descriptor());
        m.put(q + "kind", method.kind().label());
        m.put(q + "expected", method.expectedFingerprint());
        m.put(q + "new", method.newFingerprint());
      }
      if (!v1) {
        m.put(p + "shadow.count", Integer.toString(c.shadowFields().size()));
        for (int j = 0; j < c.shadowFields().size(); j++) {
          ShadowField field = c.shadowFields().get(j);
          String q = p + "shadow." + j + ".";
          m.put(q + "name", field.name());
          m.put(q + "descriptor", field.descriptor());
          m.put(q + "static", Boolean.toString(field.isStatic()));
        }
      }
    }
    if (!v1) {
      List<String[]> added = new ArrayList<>();
      for (AddedClass a : patch.addedClasses()) {
        added.add(new String[] {"name", a.name(), "host", a.host()});
      }
      putList(m, "added", added);
      List<String[]> guards = new ArrayList<>();
      for (Guard g : patch.guards()) {
        guards.add(new String[] {"class", g.className(), "method", g.method(), "descriptor", g.descriptor(),
            "reason", g.reason()});
      }
      putList(m, "guard", guards);
    }
    m.put("hook.count", Integer.toString(patch.hooks().size()));
    for (int i = 0; i < patch.hooks().size(); i++) {
      HookClass h = patch.hooks().get(i);
      m.put("hook." + i + ".name", h.name());
      m.put("hook." + i + ".entryPoint", Boolean.toString(h.entryPoint()));
    }
    // Plain loops, no lambdas: the agent decodes (and so re-encodes) every payload on its first
    // load in a target, where each lambda spins a class.
    List<String[]> warnings = new ArrayList<>();
    for (Warning w : patch.warnings()) {
      warnings.add(new String[] {"class", w.className(), "member", w.member(), "message", w.message()});
    }
    putList(m, "warning", warnings);
    List<String[]> ignored = new ArrayList<>();
    for (Ignored g : patch.ignored()) {
      ignored.add(new String[] {"class", g.className(), "method", g.method(), "descriptor", g.descriptor(),
          "reason", g.reason()});
    }
    putList(m, "ignored", ignored);
    List<String[]> renamed = new ArrayList<>();
    for (Renamed r : patch.renamed()) {
      renamed.add(new String[] {"class", r.className(), "kind", r.kind(), "old", r.oldName(), "new", r.newName()});
    }
    putList(m, "renamed", renamed);
    for (PayloadFormat.Entry e : PayloadFormat.contentEntries(patch)) {
      if (m.put(ENTRY_PREFIX + e.name(), PayloadFormat.sha256Hex(e.data())) != null) {
        throw new IllegalArgumentException("patch " + patch.id() + " has class " + e.name() + " twice");
      }
    }
    return PropertiesText.write(m);
  }

  private static void putBuild(Map<String, String> m, String prefix, BuildInfo build) {
    m.put(prefix + "jdk", build.buildJdk());
    m.put(prefix + "major", Integer.toString(build.majorVersion()));
  }

  /** Puts {@code NAME.count} and, per item, {@code NAME.I.KEY} for each of its key and value pairs. */
  private static void putList(Map<String, String> m, String name, List<String[]> items) {
    m.put(name + ".count", Integer.toString(items.size()));
    for (int i = 0; i < items.size(); i++) {
      String[] pairs = items.get(i);
      for (int k = 0; k < pairs.length; k += 2) {
        if (pairs[k + 1] == null) {
          throw new IllegalArgumentException(name + " " + i + " has no " + pairs[k]);
        }
        m.put(name + "." + i + "." + pairs[k], pairs[k + 1]);
      }
    }
  }

  /**
   * Checks the format version and fingerprint algorithm first, so that a newer payload gets the
   * dedicated message whatever else it contains.
   */
  static SortedMap<String, String> parseAndCheckVersion(byte[] manifest) throws PayloadException {
    SortedMap<String, String> m = PropertiesText.read(manifest, "the manifest");
    version(m);
    return m;
  }

  /** The format version of a manifest {@link #parseAndCheckVersion} accepted. */
  static int version(SortedMap<String, String> m) throws PayloadException {
    String version = m.get(FORMAT_VERSION);
    if (version == null) {
      throw new PayloadException(CORRUPT, "the manifest has no " + FORMAT_VERSION + ": not a jlivepatch payload");
    }
    int v;
    try {
      v = Integer.parseInt(version);
    } catch (NumberFormatException e) {
      throw new PayloadException(CORRUPT, "the manifest's " + FORMAT_VERSION + " '" + PayloadFormat.printable(version)
          + "' is not a number");
    }
    if (v > PayloadFormat.VERSION) {
      throw new PayloadException(UNSUPPORTED_VERSION, "payload format version " + v
          + " is newer than this jlivepatch supports (" + PayloadFormat.VERSION + "); upgrade jlivepatch");
    }
    if (v < 1) {
      throw new PayloadException(CORRUPT, "payload format version " + v + " does not exist");
    }
    String algorithm = m.get(FINGERPRINTS);
    if (algorithm == null) {
      throw new PayloadException(CORRUPT, "the manifest has no " + FINGERPRINTS);
    }
    if (!algorithm.equals(Fingerprints.ALGORITHM)) {
      throw new PayloadException(UNSUPPORTED_VERSION, "payload uses fingerprint algorithm '"
          + PayloadFormat.printable(algorithm) + "'; this jlivepatch supports " + Fingerprints.ALGORITHM
          + "; upgrade jlivepatch");
    }
    return v;
  }

  /**
   * Rebuilds the patch from a parsed manifest and the content entries.
   *
   * @param manifest the manifest bytes, which must be the canonical encoding of the result
   * @param m the manifest as parsed by {@link #parseAndCheckVersion}
   * @param entries every entry except the manifest and the signature, by name
   */
  static Patch decode(byte[] manifest, SortedMap<String, String> m, Map<String, byte[]> entries, PayloadLimits limits)
      throws PayloadException {
    int version = version(m);
    boolean v1 = version == PayloadFormat.VERSION_1;
    Keys keys = new Keys(m);
    keys.take(FORMAT_VERSION);
    keys.take(FINGERPRINTS);

    // Counts first, so that the method limit holds before any method record is read.
    int classCount = keys.count("class.count", entries.size());
    int[] methodCounts = new int[classCount];
    long methods = 0;
    for (int i = 0; i < classCount; i++) {
      methodCounts[i] = keys.count("class." + i + ".method.count", m.size());
      methods += methodCounts[i];
    }
    if (methods > limits.maxMethods()) {
      throw new PayloadException(TOO_LARGE, "payload patches " + methods + " methods, more than the limit of "
          + limits.maxMethods());
    }

    checkEntries(keys, entries);

    Set<String> usedEntries = new HashSet<>();
    List<PatchedClass> classes = new ArrayList<>();
    for (int i = 0; i < classCount; i++) {
      String p = "class." + i + ".";
      String name = className(keys.take(p + "name"), p + "name");
      List<PatchedMethod> list = new ArrayList<>();
      for (int j = 0; j < methodCounts[i]; j++) {
        String q = p + "method." + j + ".";
        ChangeKind kind;
        String label = keys.take(q + "kind");
        try {
          kind = ChangeKind.ofLabel(label);
        } catch (IllegalArgumentException e) {
          throw new PayloadException(UNSUPPORTED_VERSION, "class " + name + ": change kind '"
              + PayloadFormat.printable(label) + "' is not supported by this jlivepatch; upgrade jlivepatch");
        }
        if (v1 && kind != ChangeKind.IN_PLACE) {
          throw new PayloadException(CORRUPT, "class " + name + ": change kind '" + kind.label()
              + "' does not exist in payload format version 1");
        }
        list.add(new PatchedMethod(keys.take(q + "name"), keys.take(q + "descriptor"), kind,
            keys.take(q + "expected"), keys.take(q + "new")));
      }
      List<ShadowField> shadows = new ArrayList<>();
      if (!v1) {
        int shadowCount = keys.count(p + "shadow.count", m.size());
        for (int j = 0; j < shadowCount; j++) {
          String q = p + "shadow." + j + ".";
          String fieldName = keys.take(q + "name");
          String descriptor = keys.take(q + "descriptor");
          boolean isStatic = keys.bool(q + "static");
          try {
            shadows.add(new ShadowField(fieldName, descriptor, isStatic));
          } catch (IllegalArgumentException | NullPointerException e) {
            throw inconsistent(e);
          }
        }
      }
      byte[] base = classBytes(PayloadFormat.BASE_PREFIX, name, entries, usedEntries);
      byte[] fresh = classBytes(PayloadFormat.NEW_PREFIX, name, entries, usedEntries);
      try {
        classes.add(new PatchedClass(name, base, fresh, list, shadows));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw inconsistent(e);
      }
    }
    List<AddedClass> added = new ArrayList<>();
    List<Guard> guards = new ArrayList<>();
    if (!v1) {
      int addedCount = keys.count("added.count", entries.size());
      for (int i = 0; i < addedCount; i++) {
        String name = className(keys.take("added." + i + ".name"), "added." + i + ".name");
        String host = className(keys.take("added." + i + ".host"), "added." + i + ".host");
        byte[] bytes = classBytes(PayloadFormat.ADDED_PREFIX, name, entries, usedEntries);
        try {
          added.add(new AddedClass(name, bytes, host));
        } catch (IllegalArgumentException | NullPointerException e) {
          throw inconsistent(e);
        }
      }
      int guardCount = keys.count("guard.count", m.size());
      for (int i = 0; i < guardCount; i++) {
        String p = "guard." + i + ".";
        String className = className(keys.take(p + "class"), p + "class");
        String method = keys.take(p + "method");
        String descriptor = keys.take(p + "descriptor");
        String reason = keys.take(p + "reason");
        try {
          guards.add(new Guard(className, method, descriptor, reason));
        } catch (IllegalArgumentException | NullPointerException e) {
          throw inconsistent(e);
        }
      }
    }
    int hookCount = keys.count("hook.count", entries.size());
    List<HookClass> hooks = new ArrayList<>();
    for (int i = 0; i < hookCount; i++) {
      String name = className(keys.take("hook." + i + ".name"), "hook." + i + ".name");
      boolean entryPoint = keys.bool("hook." + i + ".entryPoint");
      hooks.add(new HookClass(name, classBytes(PayloadFormat.HOOK_PREFIX, name, entries, usedEntries), entryPoint));
    }
    Set<String> unused = new TreeSet<>(entries.keySet());
    unused.removeAll(usedEntries);
    if (!unused.isEmpty()) {
      throw new PayloadException(CORRUPT, "the manifest lists entry " + PayloadFormat.printable(unused.iterator().next())
          + " but no class, added class or hook of it");
    }

    List<Warning> warnings = new ArrayList<>();
    int warningCount = keys.count("warning.count", m.size());
    for (int i = 0; i < warningCount; i++) {
      String p = "warning." + i + ".";
      warnings.add(new Warning(keys.take(p + "class"), keys.take(p + "member"), keys.take(p + "message")));
    }
    List<Ignored> ignored = new ArrayList<>();
    int ignoredCount = keys.count("ignored.count", m.size());
    for (int i = 0; i < ignoredCount; i++) {
      String p = "ignored." + i + ".";
      ignored.add(new Ignored(keys.take(p + "class"), keys.take(p + "method"), keys.take(p + "descriptor"),
          keys.take(p + "reason")));
    }
    List<Renamed> renamed = new ArrayList<>();
    int renamedCount = keys.count("renamed.count", m.size());
    for (int i = 0; i < renamedCount; i++) {
      String p = "renamed." + i + ".";
      renamed.add(new Renamed(keys.take(p + "class"), keys.take(p + "kind"), keys.take(p + "old"), keys.take(p + "new")));
    }

    String id = keys.take("id");
    String description = keys.take("description");
    Optional<String> depends = keys.optional("depends");
    String toolVersion = keys.take("tool.version");
    BuildInfo oldBuild = new BuildInfo(keys.take("build.old.jdk"), keys.number("build.old.major"));
    BuildInfo newBuild = new BuildInfo(keys.take("build.new.jdk"), keys.number("build.new.major"));
    int minJava = keys.number("java.min");
    keys.checkAllTaken();

    Patch patch;
    try {
      patch = new Patch(id, description, depends, toolVersion, oldBuild, newBuild, minJava, classes, hooks, warnings,
          ignored, renamed, added, guards);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw inconsistent(e);
    }
    byte[] canonical;
    try {
      canonical = encode(patch, version);
    } catch (IllegalArgumentException e) {
      throw new PayloadException(CORRUPT, "the manifest is inconsistent: " + e.getMessage());
    }
    if (!Arrays.equals(canonical, manifest)) {
      throw new PayloadException(CORRUPT, "the manifest is not in canonical form (edited by hand?)");
    }
    return patch;
  }

  /** The content entries must be exactly those the manifest lists, each with its recorded SHA-256. */
  private static void checkEntries(Keys keys, Map<String, byte[]> entries) throws PayloadException {
    SortedMap<String, String> listed = new TreeMap<>();
    for (String key : keys.remaining()) {
      if (key.startsWith(ENTRY_PREFIX)) {
        listed.put(key.substring(ENTRY_PREFIX.length()), keys.take(key));
      }
    }
    for (String name : listed.keySet()) {
      if (!entries.containsKey(name)) {
        throw new PayloadException(TAMPERED, "entry " + PayloadFormat.printable(name)
            + " listed in the manifest is missing");
      }
    }
    for (Map.Entry<String, byte[]> e : new TreeMap<>(entries).entrySet()) {
      String expected = listed.get(e.getKey());
      if (expected == null) {
        throw new PayloadException(TAMPERED, "entry " + PayloadFormat.printable(e.getKey())
            + " is not listed in the manifest");
      }
      if (!expected.equals(PayloadFormat.sha256Hex(e.getValue()))) {
        throw new PayloadException(TAMPERED, "entry " + PayloadFormat.printable(e.getKey())
            + " does not match its SHA-256 in the manifest");
      }
    }
  }

  private static byte[] classBytes(String prefix, String name, Map<String, byte[]> entries, Set<String> used)
      throws PayloadException {
    String entry = PayloadFormat.classEntry(prefix, name);
    byte[] bytes = entries.get(entry);
    if (bytes == null) {
      throw new PayloadException(CORRUPT, "the manifest names class " + name + " but lists no entry " + entry);
    }
    if (!used.add(entry)) {
      throw new PayloadException(CORRUPT, "the manifest names class " + name + " twice");
    }
    return bytes;
  }

  private static String className(String name, String key) throws PayloadException {
    if (!PayloadFormat.isValidClassName(name)) {
      throw new PayloadException(CORRUPT, "the manifest's " + key + " '" + PayloadFormat.printable(name)
          + "' is not a valid class name");
    }
    return name;
  }

  /** A model constructor's refusal of what the manifest says, as the payload's refusal. */
  private static PayloadException inconsistent(RuntimeException e) {
    return new PayloadException(CORRUPT, "the manifest is inconsistent: " + e.getMessage());
  }

  /** The manifest's keys, each to be taken exactly once; keys left over are an error. */
  private static final class Keys {
    private final SortedMap<String, String> values;
    private final Set<String> taken = new HashSet<>();

    Keys(SortedMap<String, String> values) {
      this.values = values;
    }

    String take(String key) throws PayloadException {
      String value = values.get(key);
      if (value == null) {
        throw new PayloadException(CORRUPT, "the manifest has no " + key);
      }
      taken.add(key);
      return value;
    }

    Optional<String> optional(String key) {
      taken.add(key);
      return Optional.ofNullable(values.get(key));
    }

    int number(String key) throws PayloadException {
      String value = take(key);
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new PayloadException(CORRUPT, "the manifest's " + key + " '" + PayloadFormat.printable(value)
            + "' is not a number");
      }
    }

    /** A count that cannot exceed {@code bound}, since each counted item needs its own keys or entries. */
    int count(String key, int bound) throws PayloadException {
      int n = number(key);
      if (n < 0 || n > bound) {
        throw new PayloadException(CORRUPT, "the manifest's " + key + " " + n + " is out of range");
      }
      return n;
    }

    boolean bool(String key) throws PayloadException {
      String value = take(key);
      if (!value.equals("true") && !value.equals("false")) {
        throw new PayloadException(CORRUPT, "the manifest's " + key + " '" + PayloadFormat.printable(value)
            + "' is neither true nor false");
      }
      return Boolean.parseBoolean(value);
    }

    List<String> remaining() {
      List<String> left = new ArrayList<>(values.keySet());
      left.removeAll(taken);
      return left;
    }

    void checkAllTaken() throws PayloadException {
      List<String> left = remaining();
      if (!left.isEmpty()) {
        throw new PayloadException(CORRUPT, "unexpected manifest key '" + PayloadFormat.printable(left.get(0)) + "'");
      }
    }
  }
}
