package org.jlivepatch.core.payload;

import static org.jlivepatch.core.payload.PayloadException.Reason.CORRUPT;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.HookClass;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.objectweb.asm.ClassReader;

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
    return new Payload(patch, PayloadFormat.sha256Hex(manifest), signature);
  }

  /**
   * Each class file must be the class the manifest names; the base and new classes must have the
   * recorded fingerprints; and a method the manifest does not list must be the same in both.
   */
  private static void checkClassFiles(Patch patch) throws PayloadException {
    for (PatchedClass c : patch.classes()) {
      Map<String, String> base = fingerprints(c.name(), "base", c.baseBytes());
      Map<String, String> fresh = fingerprints(c.name(), "new", c.newBytes());
      Map<String, PatchedMethod> listed = new HashMap<>();
      for (PatchedMethod m : c.methods()) {
        if (listed.put(m.key(), m) != null) {
          throw new PayloadException(CORRUPT, "class " + c.name() + ": method " + m.key() + " is listed twice");
        }
        check(c.name(), m, "base", base.get(m.key()), m.expectedFingerprint());
        check(c.name(), m, "new", fresh.get(m.key()), m.newFingerprint());
      }
      for (Map.Entry<String, String> e : fresh.entrySet()) {
        String before = base.get(e.getKey());
        if (!listed.containsKey(e.getKey()) && before != null && !before.equals(e.getValue())) {
          throw new PayloadException(CORRUPT, "class " + c.name() + ": method " + e.getKey()
              + " differs between the base and new class but is not listed as patched");
        }
      }
    }
    for (HookClass h : patch.hooks()) {
      className(h.name(), "hook", h.bytes());
    }
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
