package org.jlivepatch.core.payload;

import java.util.Objects;

/**
 * A payload that cannot be used, with the reason in one line and a category a caller can act on.
 * Never carries a cause worth showing to users: the message says what is wrong.
 */
public final class PayloadException extends Exception {

  private static final long serialVersionUID = 1L;

  /** What kind of problem a payload has. */
  public enum Reason {
    /** A limit was exceeded: total size, entries, size of an entry, methods. */
    TOO_LARGE,
    /** The file ends early. */
    TRUNCATED,
    /** The file is damaged or malformed: not a zip, bad checksum, bad manifest. */
    CORRUPT,
    /** An entry name is absolute, contains {@code ..} or a backslash, or occurs twice. */
    UNSAFE_ENTRY,
    /** The format version or fingerprint algorithm is newer than this jlivepatch supports. */
    UNSUPPORTED_VERSION,
    /** The content does not match the manifest: an entry changed, added or removed. */
    TAMPERED,
    /** A signature is required but the payload has none. */
    UNSIGNED,
    /** The payload is signed by a key that is not trusted. */
    UNTRUSTED,
    /** The signature is malformed or does not verify. */
    BAD_SIGNATURE
  }

  private final Reason reason;

  /**
   * @param reason the category
   * @param message one line saying what is wrong
   */
  public PayloadException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** The category of the problem. */
  public Reason reason() {
    return reason;
  }
}
