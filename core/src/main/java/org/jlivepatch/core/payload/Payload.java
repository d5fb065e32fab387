package org.jlivepatch.core.payload;

import java.util.Objects;
import java.util.Optional;
import org.jlivepatch.core.model.Patch;

/**
 * A payload read and checked by {@link PayloadReader}.
 *
 * @param patch the patch it carries
 * @param contentHash the SHA-256 of the manifest in lower-case hex; the manifest pins every other
 *     entry by its own SHA-256, so this hash identifies the whole content
 * @param signature the signature, if the payload is signed; checked for form only, see
 *     {@link TrustedKeys#verify(Payload)}
 * @param formatVersion the payload format version the file was written in
 */
public record Payload(Patch patch, String contentHash, Optional<PayloadSignature> signature, int formatVersion) {

  public Payload {
    Objects.requireNonNull(patch, "patch");
    Objects.requireNonNull(contentHash, "contentHash");
    Objects.requireNonNull(signature, "signature");
  }

  /** A payload in the current format version. */
  public Payload(Patch patch, String contentHash, Optional<PayloadSignature> signature) {
    this(patch, contentHash, signature, PayloadFormat.VERSION);
  }
}
