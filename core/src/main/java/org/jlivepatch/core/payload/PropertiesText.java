package org.jlivepatch.core.payload;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The canonical {@link Properties} text of payload entries, and of the agent protocol's request
 * and result files: ASCII only (other characters as {@code \\uXXXX}), one {@code key=value} line
 * per key, keys sorted, {@code \n} line ends, no comment. {@link Properties#store} is not used
 * because it writes a date (whose first formatting loads time-zone and locale data: tens of
 * classes in a short-lived CLI or a target) and unsorted keys.
 */
public final class PropertiesText {

  private PropertiesText() {}

  /** The canonical text of {@code values}, readable by {@link Properties#load}. */
  public static byte[] write(Map<String, String> values) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
      escape(out, e.getKey(), true);
      out.append('=');
      escape(out, e.getValue(), false);
      out.append('\n');
    }
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Parses properties text, rejecting non-ASCII bytes, malformed escapes and repeated keys.
   *
   * @param what names the entry in messages
   */
  static SortedMap<String, String> read(byte[] text, String what) throws PayloadException {
    for (int i = 0; i < text.length; i++) {
      if (text[i] < 0) {
        throw corrupt(what + " contains a non-ASCII byte at offset " + i);
      }
    }
    SortedMap<String, String> result = new TreeMap<>();
    Properties strict = new Properties() {
      private static final long serialVersionUID = 1L;

      @Override
      public synchronized Object put(Object key, Object value) {
        if (result.put((String) key, (String) value) != null) {
          throw new IllegalArgumentException("key '" + PayloadFormat.printable((String) key) + "' occurs twice");
        }
        return null;
      }
    };
    try {
      strict.load(new StringReader(new String(text, StandardCharsets.US_ASCII)));
    } catch (IllegalArgumentException | IOException e) {
      throw corrupt(what + " is malformed: " + e.getMessage());
    }
    return result;
  }

  private static PayloadException corrupt(String message) {
    return new PayloadException(PayloadException.Reason.CORRUPT, message);
  }

  private static void escape(StringBuilder out, String text, boolean key) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\f' -> out.append("\\f");
        case '=', ':', '#', '!' -> out.append('\\').append(c);
        case ' ' -> out.append(key || i == 0 ? "\\ " : " ");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
  }
}
