package org.jlivepatch.core.payload;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.jlivepatch.core.model.AddedClass;
import org.jlivepatch.core.model.HookClass;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;

/** Constants and naming rules of the payload format, shared by writer and reader. */
final class PayloadFormat {

  /** The format version this jlivepatch writes and the newest it reads. */
  static final int VERSION = 2;

  /** The first version, which carries in-place changes only; still read. */
  static final int VERSION_1 = 1;

  static final String MANIFEST = "manifest.properties";
  static final String SIGNATURE = "signature.properties";
  static final String BASE_PREFIX = "base/";
  static final String NEW_PREFIX = "new/";
  static final String HOOK_PREFIX = "hooks/";
  static final String ADDED_PREFIX = "added/";

  /** One zip entry: its name and uncompressed content. */
  record Entry(String name, byte[] data) {}

  private PayloadFormat() {}

  /** The entry name of a class file under {@code prefix}, e.g. {@code new/com/example/Foo$Bar.class}. */
  static String classEntry(String prefix, String binaryName) {
    return prefix + binaryName.replace('.', '/') + ".class";
  }

  /**
   * The entries a patch's manifest pins, in file order: base classes, new classes, added classes,
   * hook classes, each group sorted by entry name.
   */
  static List<Entry> contentEntries(Patch patch) {
    List<Entry> base = new ArrayList<>();
    List<Entry> fresh = new ArrayList<>();
    for (PatchedClass c : patch.classes()) {
      base.add(new Entry(classEntry(BASE_PREFIX, c.name()), c.baseBytes()));
      fresh.add(new Entry(classEntry(NEW_PREFIX, c.name()), c.newBytes()));
    }
    List<Entry> added = new ArrayList<>();
    for (AddedClass a : patch.addedClasses()) {
      added.add(new Entry(classEntry(ADDED_PREFIX, a.name()), a.bytes()));
    }
    List<Entry> hooks = new ArrayList<>();
    for (HookClass h : patch.hooks()) {
      hooks.add(new Entry(classEntry(HOOK_PREFIX, h.name()), h.bytes()));
    }
    Comparator<Entry> byName = Comparator.comparing(Entry::name);
    base.sort(byName);
    fresh.sort(byName);
    added.sort(byName);
    hooks.sort(byName);
    List<Entry> all = new ArrayList<>(base);
    all.addAll(fresh);
    all.addAll(added);
    all.addAll(hooks);
    return all;
  }

  /**
   * Whether {@code name} is a binary class name a payload can carry: dot-separated non-empty
   * segments without {@code / \ ; [} or control characters.
   */
  static boolean isValidClassName(String name) {
    if (name == null || name.isEmpty() || name.length() > 1024) {
      return false;
    }
    for (String segment : name.split("\\.", -1)) {
      if (segment.isEmpty()) {
        return false;
      }
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == '\\' || c == ';' || c == '[' || c < 0x20 || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  /** Why an entry name is unsafe to handle, or {@code null} when it is safe. */
  static String unsafeEntryName(String name) {
    if (name.isEmpty()) {
      return "an empty entry name";
    }
    if (name.startsWith("/")) {
      return "absolute entry name '" + printable(name) + "'";
    }
    if (name.length() >= 2 && name.charAt(1) == ':' && Character.isLetter(name.charAt(0))) {
      return "absolute entry name '" + printable(name) + "'";
    }
    if (name.indexOf('\\') >= 0) {
      return "entry name with a backslash '" + printable(name) + "'";
    }
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) < 0x20 || name.charAt(i) == 0x7f) {
        return "entry name with a control character '" + printable(name) + "'";
      }
    }
    String[] segments = name.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      if (segment.equals("..") || segment.equals(".")) {
        return "entry name with '" + segment + "' '" + printable(name) + "'";
      }
      if (segment.isEmpty() && i < segments.length - 1) {
        return "entry name with an empty path segment '" + printable(name) + "'";
      }
    }
    return null;
  }

  /** {@code text} with control and non-ASCII characters escaped, for messages. */
  static String printable(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints().limit(200).forEach(c -> {
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    if (text.codePointCount(0, text.length()) > 200) {
      out.append("...");
    }
    return out.toString();
  }

  static String sha256Hex(byte[] data) {
    return HexFormat.of().formatHex(sha256().digest(data));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
