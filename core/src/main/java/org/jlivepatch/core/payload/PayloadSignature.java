package org.jlivepatch.core.payload;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * The signature of a payload.
 *
 * @param keyId the signer's key id, see {@link Signing#keyId(java.security.PublicKey)}
 * @param signature the 64-byte Ed25519 signature of {@link Signing#signedMessage(String)}
 */
public record PayloadSignature(String keyId, byte[] signature) {

  public PayloadSignature {
    Objects.requireNonNull(keyId, "keyId");
    signature = Objects.requireNonNull(signature, "signature").clone();
  }

  /** A copy of the signature bytes. */
  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** Equal when key id and signature bytes are equal. */
  @Override
  public boolean equals(Object other) {
    return other instanceof PayloadSignature that
        && keyId.equals(that.keyId) && Arrays.equals(signature, that.signature);
  }

  @Override
  public int hashCode() {
    return keyId.hashCode() * 31 + Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "PayloadSignature[keyId=" + keyId + ", signature=" + Base64.getEncoder().encodeToString(signature) + "]";
  }
}
