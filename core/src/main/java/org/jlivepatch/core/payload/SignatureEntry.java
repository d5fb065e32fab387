package org.jlivepatch.core.payload;

import static org.jlivepatch.core.payload.PayloadException.Reason.BAD_SIGNATURE;

import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** The signature entry: algorithm, signer key id, signature, as canonical properties. */
final class SignatureEntry {

  static final String ALGORITHM = "Ed25519";
  private static final int SIGNATURE_BYTES = 64;

  private SignatureEntry() {}

  static byte[] encode(PayloadSignature signature) {
    Map<String, String> m = new TreeMap<>();
    m.put("algorithm", ALGORITHM);
    m.put("key", signature.keyId());
    m.put("signature", Base64.getEncoder().encodeToString(signature.signature()));
    return PropertiesText.write(m);
  }

  /** Parses the entry, checking its form: the algorithm, a key id, a 64-byte signature. */
  static PayloadSignature decode(byte[] entry) throws PayloadException {
    SortedMap<String, String> m;
    try {
      m = PropertiesText.read(entry, "the signature entry");
    } catch (PayloadException e) {
      throw new PayloadException(BAD_SIGNATURE, e.getMessage());
    }
    String algorithm = m.get("algorithm");
    String keyId = m.get("key");
    String encoded = m.get("signature");
    if (m.size() != 3 || algorithm == null || keyId == null || encoded == null) {
      throw new PayloadException(BAD_SIGNATURE, "the signature entry is malformed: it must hold exactly algorithm, "
          + "key and signature");
    }
    if (!algorithm.equals(ALGORITHM)) {
      throw new PayloadException(BAD_SIGNATURE, "the signature uses algorithm '" + PayloadFormat.printable(algorithm)
          + "'; only " + ALGORITHM + " is supported");
    }
    if (!Signing.isKeyId(keyId)) {
      throw new PayloadException(BAD_SIGNATURE, "the signature's key id '" + PayloadFormat.printable(keyId)
          + "' is malformed");
    }
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      throw new PayloadException(BAD_SIGNATURE, "the signature is not valid Base64");
    }
    if (signature.length != SIGNATURE_BYTES) {
      throw new PayloadException(BAD_SIGNATURE, "the signature is " + signature.length + " bytes; Ed25519 signatures are "
          + SIGNATURE_BYTES);
    }
    PayloadSignature result = new PayloadSignature(keyId, signature);
    if (!Arrays.equals(encode(result), entry)) {
      throw new PayloadException(BAD_SIGNATURE, "the signature entry is not in canonical form");
    }
    return result;
  }
}
