package org.jlivepatch.core.payload;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 keys and signatures for payloads, with the JDK's own provider.
 *
 * <p>A signature covers {@link #signedMessage(String)}: a fixed prefix and the payload's content
 * hash, the SHA-256 of its manifest, which in turn pins every other entry by its SHA-256.
 */
public final class Signing {

  /** The JCA name of the signature algorithm. */
  public static final String ALGORITHM = "Ed25519";

  private static final String MESSAGE_PREFIX = "jlivepatch payload v1 manifest sha-256 ";
  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
  private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{16}");

  private Signing() {}

  /** Generates a new Ed25519 key pair. */
  public static KeyPair generateKeyPair() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no " + ALGORITHM + " (it is standard since Java 15)", e);
    }
  }

  /** The key id: the first 16 hex digits of the SHA-256 of the key's X.509 encoding. */
  public static String keyId(PublicKey key) {
    byte[] digest = PayloadFormat.sha256().digest(key.getEncoded());
    return HexFormat.of().formatHex(digest, 0, 8);
  }

  /** Whether {@code text} has the form of a key id. */
  public static boolean isKeyId(String text) {
    return text != null && KEY_ID.matcher(text).matches();
  }

  /** The private key as PEM: {@code -----BEGIN PRIVATE KEY-----} around its PKCS#8 encoding. */
  public static String toPem(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  /** The public key as PEM: {@code -----BEGIN PUBLIC KEY-----} around its X.509 encoding. */
  public static String toPem(PublicKey key) {
    return pem("PUBLIC KEY", key.getEncoded());
  }

  /**
   * Reads the Ed25519 private key from PEM text.
   *
   * @throws IllegalArgumentException if the text holds no single Ed25519 {@code PRIVATE KEY} block
   */
  public static PrivateKey readPrivateKey(String pem) {
    List<byte[]> blocks = blocks(pem, "PRIVATE KEY");
    if (blocks.size() != 1) {
      throw new IllegalArgumentException(blocks.isEmpty()
          ? "no PEM private key (-----BEGIN PRIVATE KEY-----) found"
          : "more than one private key found");
    }
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(blocks.get(0)));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the private key is not an " + ALGORITHM + " key");
    }
  }

  /**
   * Reads every Ed25519 public key from PEM text, e.g. a trust file.
   *
   * @throws IllegalArgumentException if the text holds no {@code PUBLIC KEY} block, or one that is
   *     not an Ed25519 key
   */
  public static List<PublicKey> readPublicKeys(String pem) {
    List<byte[]> blocks = blocks(pem, "PUBLIC KEY");
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("no PEM public key (-----BEGIN PUBLIC KEY-----) found");
    }
    List<PublicKey> keys = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      try {
        keys.add(KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(blocks.get(i))));
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("public key " + (i + 1) + " is not an " + ALGORITHM + " key");
      }
    }
    return List.copyOf(keys);
  }

  /**
   * The public key of an Ed25519 private key.
   *
   * <p>The JDK offers no direct way; an Ed25519 private key is 32 random bytes from which the
   * public key is computed, so a key-pair generator fed those bytes as its randomness yields the
   * pair. The result is checked by a test signature.
   *
   * @throws IllegalArgumentException if {@code key} is not an Ed25519 private key with its bytes
   */
  public static PublicKey publicKey(PrivateKey key) {
    if (!(key instanceof EdECPrivateKey edKey) || edKey.getBytes().isEmpty()
        || !NamedParameterSpec.ED25519.getName().equalsIgnoreCase(edKey.getParams().getName())) {
      throw new IllegalArgumentException("not an " + ALGORITHM + " private key");
    }
    byte[] seed = edKey.getBytes().get();
    SecureRandom replay = new SecureRandom() {
      private static final long serialVersionUID = 1L;

      @Override
      public void nextBytes(byte[] bytes) {
        if (bytes.length != seed.length) {
          throw new IllegalStateException("unexpected request for " + bytes.length + " random bytes");
        }
        System.arraycopy(seed, 0, bytes, 0, seed.length);
      }
    };
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
      generator.initialize(NamedParameterSpec.ED25519, replay);
      KeyPair pair = generator.generateKeyPair();
      byte[] probe = "jlivepatch key check".getBytes(StandardCharsets.US_ASCII);
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(pair.getPublic());
      verifier.update(probe);
      if (!verifier.verify(rawSign(probe, key))) {
        throw new IllegalStateException("cannot derive the public key of an " + ALGORITHM + " private key on this JDK");
      }
      return pair.getPublic();
    } catch (NoSuchAlgorithmException | InvalidAlgorithmParameterException | SignatureException
        | InvalidKeyException e) {
      throw new IllegalStateException("cannot derive the public key of an " + ALGORITHM + " private key: " + e, e);
    }
  }

  /**
   * Signs an existing payload file, replacing any signature it has. Reads it with the default
   * limits; the result is byte for byte what {@link PayloadWriter} writes for the same patch and key.
   *
   * @param payloadFile the payload file's bytes
   * @return the signed payload file's bytes
   * @throws PayloadException if the payload is not valid
   */
  public static byte[] sign(byte[] payloadFile, PrivateKey key) throws IOException, PayloadException {
    return sign(payloadFile, key, PayloadLimits.DEFAULT);
  }

  /** Like {@link #sign(byte[], PrivateKey)}, reading the payload with {@code limits}. */
  public static byte[] sign(byte[] payloadFile, PrivateKey key, PayloadLimits limits)
      throws IOException, PayloadException {
    Payload payload = new PayloadReader(limits).read(payloadFile);
    ByteArrayOutputStream out = new ByteArrayOutputStream(payloadFile.length + 256);
    PayloadWriter.write(payload.patch(), Optional.of(key), out);
    return out.toByteArray();
  }

  /** The bytes a payload signature covers: a fixed ASCII prefix followed by the content hash in hex. */
  public static byte[] signedMessage(String contentHash) {
    return (MESSAGE_PREFIX + Objects.requireNonNull(contentHash, "contentHash")).getBytes(StandardCharsets.US_ASCII);
  }

  /** Signs a content hash; the key id is that of the key's public key. */
  static PayloadSignature signContent(String contentHash, PrivateKey key) {
    String keyId = keyId(publicKey(key));
    try {
      return new PayloadSignature(keyId, rawSign(signedMessage(contentHash), key));
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("not an " + ALGORITHM + " private key");
    } catch (SignatureException e) {
      throw new IllegalStateException("signing failed: " + e.getMessage(), e);
    }
  }

  /** Whether {@code signature} is a valid signature of the content hash by {@code key}. */
  static boolean verifies(String contentHash, byte[] signature, PublicKey key) {
    try {
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(key);
      verifier.update(signedMessage(contentHash));
      return verifier.verify(signature);
    } catch (SignatureException | InvalidKeyException e) {
      return false;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no " + ALGORITHM, e);
    }
  }

  private static byte[] rawSign(byte[] message, PrivateKey key)
      throws InvalidKeyException, SignatureException {
    try {
      Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(key);
      signer.update(message);
      return signer.sign();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no " + ALGORITHM, e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static List<byte[]> blocks(String pem, String type) {
    Objects.requireNonNull(pem, "pem");
    List<byte[]> blocks = new ArrayList<>();
    Matcher m = PEM.matcher(pem);
    while (m.find()) {
      if (m.group(1).equals(type)) {
        try {
          blocks.add(Base64.getMimeDecoder().decode(m.group(2).replaceAll("\\s", "")));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("a " + type + " PEM block is not valid Base64");
        }
      }
    }
    return blocks;
  }
}
