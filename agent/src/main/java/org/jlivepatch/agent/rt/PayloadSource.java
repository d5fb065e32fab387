package org.jlivepatch.agent.rt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import org.jlivepatch.core.payload.Payload;
import org.jlivepatch.core.payload.PayloadException;
import org.jlivepatch.core.payload.PayloadLimits;
import org.jlivepatch.core.payload.PayloadReader;
import org.jlivepatch.core.payload.Signing;
import org.jlivepatch.core.payload.TrustedKeys;

/** Reads payload files and checks them against the trusted keys (check 1). */
final class PayloadSource {

  /** System property naming a file of trusted PEM public keys. */
  static final String TRUST_PROPERTY = "jlivepatch.trust";

  private volatile Path startupTrustFile;

  /** Sets the trusted keys file given as {@code trust=FILE} to {@code -javaagent}. */
  void setStartupTrustFile(Path file) {
    this.startupTrustFile = file;
  }

  /**
   * Reads and verifies a payload file.
   *
   * @throws CommandException refused at the {@code payload} step, naming the file and the problem
   */
  Incoming read(Path file) throws CommandException {
    Payload payload;
    try (InputStream in = Files.newInputStream(file)) {
      payload = new PayloadReader(PayloadLimits.DEFAULT).read(in);
    } catch (NoSuchFileException e) {
      throw CommandException.refused("payload", "payload " + file + " does not exist in the target's file system");
    } catch (IOException e) {
      throw CommandException.refused("payload", "cannot read payload " + file + ": " + e.getMessage());
    } catch (PayloadException e) {
      throw CommandException.refused("payload", "payload " + file + " refused: " + CommandException.oneLine(e.getMessage()));
    }
    String signer = "";
    List<PublicKey> keys = trustedKeys();
    if (!keys.isEmpty()) {
      try {
        signer = new TrustedKeys(keys).verify(payload);
      } catch (PayloadException e) {
        throw CommandException.refused("payload", "payload " + file + " refused: " + CommandException.oneLine(e.getMessage()));
      }
    }
    return new Incoming(payload.patch(), payload.contentHash(), signer, file.toString());
  }

  /**
   * The trusted keys, read afresh for every command; empty when none are configured.
   *
   * @throws CommandException if a trust file is configured but unusable: fail closed
   */
  List<PublicKey> trustedKeys() throws CommandException {
    Path file = startupTrustFile;
    String property = System.getProperty(TRUST_PROPERTY);
    if (file == null && property != null && !property.isBlank()) {
      file = Path.of(property);
    }
    if (file == null) {
      return List.of();
    }
    try {
      List<PublicKey> keys = List.copyOf(Signing.readPublicKeys(Files.readString(file, StandardCharsets.UTF_8)));
      if (keys.isEmpty()) {
        throw CommandException.refused("payload", "trusted keys file " + file + " holds no public key");
      }
      return keys;
    } catch (IOException e) {
      throw CommandException.refused("payload", "trusted keys file " + file + " cannot be read: " + e);
    } catch (RuntimeException e) {
      throw CommandException.refused("payload", "trusted keys file " + file + " is not usable: "
          + CommandException.oneLine(e.getMessage()));
    }
  }
}
