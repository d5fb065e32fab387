package org.jlivepatch.core.payload;

import static org.jlivepatch.core.payload.PayloadException.Reason.CORRUPT;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.AddedClass;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.Guard;
import org.jlivepatch.core.model.HookClass;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.model.ShadowField;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldNode;

/**
 * Reads payload files, checking in this order: the limits (total size, entries, entry sizes, all
 * before anything is inflated), entry names, the zip structure and checksums, the format version,
 * the method limit, every entry against its SHA-256 in the manifest, the manifest's consistency,
 * the class files against the fingerprints the manifest records, and the form of the signature.
 * Whether the signature verifies, and whether its key is trusted, is {@link TrustedKeys}' job.
 */
public final class PayloadReader {

  private final PayloadLimits limits;

  /** A reader enforcing {@code limits}. */
  public PayloadReader(PayloadLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /**
   * Reads and checks a payload. Reads {@code in} to its end, or until the total-size limit is
   * exceeded; does not close it.
   *
   * @throws IOException if {@code in} cannot be read
   * @throws PayloadException if the payload is damaged, too large, unsafe or of a newer format
   */
  public Payload read(InputStream in) throws IOException, PayloadException {
    return read(ZipContainer.readAll(in, limits));
  }

  /**
   * Reads and checks a payload held in memory.
   *
   * @throws PayloadException if the payload is damaged, too large, unsafe or of a newer format
   */
  public Payload read(byte[] file) throws PayloadException {
    if (file.length > limits.maxTotalBytes()) {
      throw new PayloadException(PayloadException.Reason.TOO_LARGE, "payload is larger than the limit of "
          + limits.maxTotalBytes() + " bytes");
    }
    List<PayloadFormat.Entry> entries = ZipContainer.read(file, limits);
    if (entries.isEmpty() || !entries.get(0).name().equals(PayloadFormat.MANIFEST)) {
      throw new PayloadException(CORRUPT, "not a jlivepatch payload: its first entry is not "
          + PayloadFormat.MANIFEST);
    }
    byte[] manifest = entries.get(0).data();
    SortedMap<String, String> properties = Manifest.parseAndCheckVersion(manifest);

    Map<String, byte[]> content = new HashMap<>();
    byte[] signatureEntry = null;
    for (PayloadFormat.Entry e : entries.subList(1, entries.size())) {
      if (e.name().equals(PayloadFormat.SIGNATURE)) {
        signatureEntry = e.data();
      } else {
        content.put(e.name(), e.data());
      }
    }
    Patch patch = Manifest.decode(manifest, properties, content, limits);
    checkClassFiles(patch);
    Optional<PayloadSignature> signature = Optional.empty();
    if (signatureEntry != null) {
      signature = Optional.of(SignatureEntry.decode(signatureEntry));
    }
    return new Payload(patch, PayloadFormat.sha256Hex(manifest), signature, Manifest.version(properties));
  }

  /**
   * Each class file must be the class the manifest names, and the new class must be the base class
   * with exactly the changes the manifest lists: a method that differs between them is listed
   * in-place or trampoline with both fingerprints, a method only in the new class is listed as
   * added, a field only in the new class is a listed shadow field; nothing else differs (header,
   * other fields, methods removed).
   */
  private static void checkClassFiles(Patch patch) throws PayloadException {
    Set<String> patchedNames = new HashSet<>();
    for (PatchedClass c : patch.classes()) {
      patchedNames.add(c.name());
      Map<String, String> base = fingerprints(c.name(), "base", c.baseBytes());
      Map<String, String> fresh = fingerprints(c.name(), "new", c.newBytes());
      Map<String, PatchedMethod> listed = new HashMap<>();
      for (PatchedMethod m : c.methods()) {
        if (listed.put(m.key(), m) != null) {
          throw new PayloadException(CORRUPT, "class " + c.name() + ": method " + m.key() + " is listed twice");
        }
        if (m.kind() == ChangeKind.ADDED) {
          if (base.containsKey(m.key())) {
            throw new PayloadException(CORRUPT, "class " + c.name() + ": method " + m.key()
                + " is listed as added but the base class has it");
          }
          if (!m.expectedFingerprint().isEmpty()) {
            throw new PayloadException(CORRUPT, "class " + c.name() + ": added method " + m.key()
                + " has an expected fingerprint, but there is nothing to expect");
          }
        } else {
          check(c.name(), m, "base", base.get(m.key()), m.expectedFingerprint());
        }
        check(c.name(), m, "new", fresh.get(m.key()), m.newFingerprint());
      }
      for (Map.Entry<String, String> e : fresh.entrySet()) {
        String before = base.get(e.getKey());
        if (listed.containsKey(e.getKey())) {
          continue;
        }
        if (before == null) {
          throw new PayloadException(CORRUPT, "class " + c.name() + ": method " + e.getKey()
              + " is only in the new class but is not listed as added");
        }
        if (!before.equals(e.getValue())) {
          throw new PayloadException(CORRUPT, "class " + c.name() + ": method " + e.getKey()
              + " differs between the base and new class but is not listed as patched");
        }
      }
      for (String key : base.keySet()) {
        if (!fresh.containsKey(key)) {
          throw new PayloadException(CORRUPT, "class " + c.name() + ": method " + key
              + " of the base class is missing from the new class");
        }
      }
      checkFieldsAndHeader(c);
    }
    Set<String> addedNames = new HashSet<>();
    for (AddedClass a : patch.addedClasses()) {
      className(a.name(), "added", a.bytes());
      if (patchedNames.contains(a.name()) || !addedNames.add(a.name())) {
        throw new PayloadException(CORRUPT, "added class " + a.name() + " is also a patched class or listed twice");
      }
      if (!packageOf(a.name()).equals(packageOf(a.host()))) {
        throw new PayloadException(CORRUPT, "added class " + a.name() + " is not in the package of its host "
            + a.host());
      }
    }
    for (AddedClass a : patch.addedClasses()) {
      if (addedNames.contains(a.host())) {
        throw new PayloadException(CORRUPT, "added class " + a.name() + " has host " + a.host()
            + ", which the patch adds itself: a host must be a class the application has");
      }
    }
    for (Guard g : patch.guards()) {
      if (g.method().isEmpty() || !validDescriptor(g.descriptor())) {
        throw new PayloadException(CORRUPT, "guard " + g.className() + "." + PayloadFormat.printable(g.method())
            + PayloadFormat.printable(g.descriptor()) + " is not a method name and descriptor");
      }
    }
    for (HookClass h : patch.hooks()) {
      className(h.name(), "hook", h.bytes());
    }
  }

  /** The new class's fields are the base's, the same, then the listed shadow fields; its header is the base's. */
  private static void checkFieldsAndHeader(PatchedClass c) throws PayloadException {
    ClassNode base = members(c.name(), "base", c.baseBytes());
    ClassNode fresh = members(c.name(), "new", c.newBytes());
    if (base.access != fresh.access || base.version != fresh.version || !Objects.equals(base.superName, fresh.superName)
        || !base.interfaces.equals(fresh.interfaces)) {
      throw new PayloadException(CORRUPT, "class " + c.name() + ": the new class's version, modifiers, superclass or "
          + "interfaces differ from the base class's");
    }
    Map<String, FieldNode> baseFields = new HashMap<>();
    for (FieldNode f : base.fields) {
      baseFields.put(f.name + ":" + f.desc, f);
    }
    Map<String, ShadowField> shadows = new HashMap<>();
    for (ShadowField shadow : c.shadowFields()) {
      if (shadows.put(shadow.key(), shadow) != null) {
        throw new PayloadException(CORRUPT, "class " + c.name() + ": shadow field " + shadow.key() + " is listed twice");
      }
    }
    Set<String> seen = new HashSet<>();
    for (FieldNode field : fresh.fields) {
      String key = field.name + ":" + field.desc;
      seen.add(key);
      FieldNode before = baseFields.get(key);
      ShadowField shadow = shadows.get(key);
      if (before != null) {
        if (shadow != null) {
          throw new PayloadException(CORRUPT, "class " + c.name() + ": field " + key
              + " is listed as a shadow field but the base class has it");
        }
        if (before.access != field.access || !Objects.equals(before.value, field.value)) {
          throw new PayloadException(CORRUPT, "class " + c.name() + ": field " + key
              + " differs between the base and new class");
        }
      } else if (shadow == null) {
        throw new PayloadException(CORRUPT, "class " + c.name() + ": field " + key
            + " is only in the new class but is not listed as a shadow field");
      } else if (shadow.isStatic() != ((field.access & Opcodes.ACC_STATIC) != 0)) {
        throw new PayloadException(CORRUPT, "class " + c.name() + ": shadow field " + key + " is listed as "
            + (shadow.isStatic() ? "static" : "an instance field") + " but the new class says otherwise");
      }
    }
    for (String key : baseFields.keySet()) {
      if (!seen.contains(key)) {
        throw new PayloadException(CORRUPT, "class " + c.name() + ": field " + key
            + " of the base class is missing from the new class");
      }
    }
    for (String key : shadows.keySet()) {
      if (!seen.contains(key)) {
        throw new PayloadException(CORRUPT, "class " + c.name() + ": shadow field " + key
            + " is not in the new class");
      }
    }
  }

  private static ClassNode members(String name, String which, byte[] bytes) throws PayloadException {
    ClassNode node = new ClassNode();
    try {
      new ClassReader(bytes).accept(node, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    } catch (RuntimeException e) {
      throw new PayloadException(CORRUPT, "class " + name + ": the " + which + " class file is unreadable");
    }
    return node;
  }

  private static boolean validDescriptor(String descriptor) {
    try {
      Type type = Type.getMethodType(descriptor);
      return Type.getMethodDescriptor(type.getReturnType(), type.getArgumentTypes()).equals(descriptor);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String packageOf(String binaryName) {
    int dot = binaryName.lastIndexOf('.');
    return dot < 0 ? "" : binaryName.substring(0, dot);
  }

  private static void check(String className, PatchedMethod m, String which, String actual, String recorded)
      throws PayloadException {
    if (actual == null) {
      throw new PayloadException(CORRUPT, "class " + className + ": the " + which + " class has no method " + m.key());
    }
    if (!actual.equals(recorded)) {
      throw new PayloadException(CORRUPT, "class " + className + ": method " + m.key() + " in the " + which
          + " class has fingerprint " + actual + ", the manifest records " + PayloadFormat.printable(recorded));
    }
  }

  private static Map<String, String> fingerprints(String name, String which, byte[] bytes) throws PayloadException {
    className(name, which, bytes);
    try {
      return Fingerprints.ofClass(bytes);
    } catch (RuntimeException e) {
      throw new PayloadException(CORRUPT, "class " + name + ": the " + which + " class file is unreadable");
    }
  }

  private static void className(String name, String which, byte[] bytes) throws PayloadException {
    String actual;
    try {
      actual = new ClassReader(bytes).getClassName().replace('/', '.');
    } catch (RuntimeException e) {
      throw new PayloadException(CORRUPT, "class " + name + ": the " + which + " class file is unreadable");
    }
    if (!actual.equals(name)) {
      throw new PayloadException(CORRUPT, "class " + name + ": the " + which + " class file holds class "
          + PayloadFormat.printable(actual));
    }
  }
}
