package org.jlivepatch.core.payload;

import java.io.IOException;
import java.io.OutputStream;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jlivepatch.core.model.AddedClass;
import org.jlivepatch.core.model.HookClass;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;

/**
 * Writes payload files. The same patch always gives the same bytes (and, signed with the same key,
 * the same signature: Ed25519 is deterministic).
 */
public final class PayloadWriter {

  /** The payload format version this jlivepatch writes, and the newest it reads. */
  public static final int FORMAT_VERSION = PayloadFormat.VERSION;

  private PayloadWriter() {}

  /**
   * Writes {@code patch} as a payload file to {@code out}, which is left open.
   *
   * @param signingKey an Ed25519 private key to sign with, or empty for an unsigned payload
   * @throws IllegalArgumentException if the patch names a class that a payload cannot carry
   *     (invalid binary name, or one class twice), or the key is not an Ed25519 private key
   */
  public static void write(Patch patch, Optional<PrivateKey> signingKey, OutputStream out) throws IOException {
    Objects.requireNonNull(patch, "patch");
    Objects.requireNonNull(signingKey, "signingKey");
    Objects.requireNonNull(out, "out");
    for (PatchedClass c : patch.classes()) {
      checkClassName(c.name());
    }
    for (HookClass h : patch.hooks()) {
      checkClassName(h.name());
    }
    for (AddedClass a : patch.addedClasses()) {
      checkClassName(a.name());
      checkClassName(a.host());
    }
    patch.guards().forEach(g -> checkClassName(g.className()));
    byte[] manifest = Manifest.encode(patch);
    List<PayloadFormat.Entry> entries = new ArrayList<>();
    entries.add(new PayloadFormat.Entry(PayloadFormat.MANIFEST, manifest));
    entries.addAll(PayloadFormat.contentEntries(patch));
    if (signingKey.isPresent()) {
      String contentHash = PayloadFormat.sha256Hex(manifest);
      entries.add(new PayloadFormat.Entry(PayloadFormat.SIGNATURE, SignatureEntry.encode(
          Signing.signContent(contentHash, signingKey.get()))));
    }
    ZipContainer.write(entries, out);
  }

  private static void checkClassName(String name) {
    if (!PayloadFormat.isValidClassName(name)) {
      throw new IllegalArgumentException("'" + PayloadFormat.printable(name)
          + "' is not a binary class name a payload can carry");
    }
  }
}
