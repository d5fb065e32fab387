package org.jlivepatch.core.payload;

import static org.jlivepatch.core.payload.PayloadException.Reason.BAD_SIGNATURE;
import static org.jlivepatch.core.payload.PayloadException.Reason.UNSIGNED;
import static org.jlivepatch.core.payload.PayloadException.Reason.UNTRUSTED;

import java.security.PublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The public keys whose payload signatures are accepted.
 *
 * <p>Verification trusts that the {@link Payload} came from {@link PayloadReader}, which computed
 * its content hash from the file.
 */
public final class TrustedKeys {

  private final Map<String, PublicKey> byId = new LinkedHashMap<>();

  /**
   * @param keys Ed25519 public keys, e.g. from {@link Signing#readPublicKeys(String)}
   * @throws IllegalArgumentException if a key is not an Ed25519 key
   */
  public TrustedKeys(Collection<PublicKey> keys) {
    for (PublicKey key : keys) {
      // The JDK names both Ed25519 and Ed448 keys "EdDSA"; the curve is in the parameters.
      if (!(key instanceof EdECPublicKey edKey)
          || !NamedParameterSpec.ED25519.getName().equalsIgnoreCase(edKey.getParams().getName())) {
        throw new IllegalArgumentException("trusted keys must be " + Signing.ALGORITHM + " keys, not "
            + key.getAlgorithm());
      }
      byId.put(Signing.keyId(key), key);
    }
  }

  /** The ids of the trusted keys, in the order given. */
  public Set<String> keyIds() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(byId.keySet()));
  }

  /**
   * Verifies the payload's signature against these keys.
   *
   * @return the signer's key id
   * @throws PayloadException {@code UNSIGNED} if the payload has no signature, {@code UNTRUSTED}
   *     if its key is not one of these, {@code BAD_SIGNATURE} if the signature does not verify
   */
  public String verify(Payload payload) throws PayloadException {
    if (payload.signature().isEmpty()) {
      throw new PayloadException(UNSIGNED, "payload " + payload.patch().id() + " is not signed");
    }
    PayloadSignature signature = payload.signature().get();
    PublicKey key = byId.get(signature.keyId());
    if (key == null) {
      throw new PayloadException(UNTRUSTED, "payload " + payload.patch().id() + " is signed by key "
          + signature.keyId() + ", which is not trusted");
    }
    if (!Signing.verifies(payload.contentHash(), signature.signature(), key)) {
      throw new PayloadException(BAD_SIGNATURE, "payload " + payload.patch().id()
          + ": the signature does not verify against trusted key " + signature.keyId() + " (content changed after signing?)");
    }
    return signature.keyId();
  }
}
