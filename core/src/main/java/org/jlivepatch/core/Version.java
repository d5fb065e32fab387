package org.jlivepatch.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The jlivepatch version, as recorded in payloads and printed by the CLI. */
public final class Version {

  private static final String CURRENT = load();

  private Version() {}

  /** The version of this jlivepatch build, e.g. {@code 0.1.0}. */
  public static String current() {
    return CURRENT;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
