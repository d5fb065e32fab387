package org.jlivepatch.core.payload;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.function.Consumer;
import org.jlivepatch.core.payload.PayloadFormat.Entry;

/** Takes payload files apart and puts them back together, to damage them in controlled ways. */
final class Zips {

  private static final PayloadLimits GENEROUS = new PayloadLimits(1 << 30, 1 << 20, 1 << 30, 1 << 20);

  private Zips() {}

  static List<Entry> entries(byte[] file) {
    try {
      return new ArrayList<>(ZipContainer.read(file, GENEROUS));
    } catch (PayloadException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  static byte[] zip(List<Entry> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ZipContainer.write(entries, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] data(List<Entry> entries, String name) {
    return entries.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow().data();
  }

  static void replace(List<Entry> entries, String name, byte[] data) {
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).name().equals(name)) {
        entries.set(i, new Entry(name, data));
        return;
      }
    }
    throw new AssertionError("no entry " + name);
  }

  /** Edits the manifest's properties and writes them back canonically. */
  static void editManifest(List<Entry> entries, Consumer<SortedMap<String, String>> edit) {
    SortedMap<String, String> manifest;
    try {
      manifest = PropertiesText.read(data(entries, PayloadFormat.MANIFEST), "manifest");
    } catch (PayloadException e) {
      throw new AssertionError(e);
    }
    edit.accept(manifest);
    replace(entries, PayloadFormat.MANIFEST, PropertiesText.write(manifest));
  }

  /** Records the current SHA-256 of every content entry in the manifest, as a forger would. */
  static void rehash(List<Entry> entries) {
    editManifest(entries, m -> {
      m.keySet().removeIf(k -> k.startsWith(Manifest.ENTRY_PREFIX));
      for (Entry e : entries) {
        if (!e.name().equals(PayloadFormat.MANIFEST) && !e.name().equals(PayloadFormat.SIGNATURE)) {
          m.put(Manifest.ENTRY_PREFIX + e.name(), PayloadFormat.sha256Hex(e.data()));
        }
      }
    });
  }

  /** The offset of the only occurrence of {@code text} after {@code from}. */
  static int indexOf(byte[] file, String text, int from) {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = from; i <= file.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (file[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The offset of the data of entry {@code name}: just after its local header. */
  static int dataOffset(byte[] file, String name) {
    for (int at = 0; (at = indexOf(file, name, at)) >= 0; at++) {
      int header = at - 30;
      if (header >= 0 && file[header] == 'P' && file[header + 1] == 'K' && file[header + 2] == 3 && file[header + 3] == 4) {
        int extra = (file[header + 28] & 0xff) | (file[header + 29] & 0xff) << 8;
        return at + name.length() + extra;
      }
    }
    throw new AssertionError("no local header for " + name);
  }

  /** Replaces every occurrence of {@code from} by {@code to}, which must have the same length in bytes. */
  static byte[] replaceAll(byte[] file, String from, String to) {
    byte[] copy = file.clone();
    byte[] replacement = to.getBytes(StandardCharsets.UTF_8);
    int at = 0;
    int count = 0;
    while ((at = indexOf(copy, from, at)) >= 0) {
      System.arraycopy(replacement, 0, copy, at, replacement.length);
      at += replacement.length;
      count++;
    }
    if (count == 0) {
      throw new AssertionError("no " + from + " in the file");
    }
    return copy;
  }
}
