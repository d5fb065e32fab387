package org.jlivepatch.core.payload;

import static org.jlivepatch.core.payload.PayloadException.Reason.CORRUPT;
import static org.jlivepatch.core.payload.PayloadException.Reason.TOO_LARGE;
import static org.jlivepatch.core.payload.PayloadException.Reason.TRUNCATED;
import static org.jlivepatch.core.payload.PayloadException.Reason.UNSAFE_ENTRY;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jlivepatch.core.payload.PayloadFormat.Entry;

/**
 * The zip container of a payload.
 *
 * <p>Writing is deterministic: entries are stored uncompressed (so that no zlib version can change
 * the bytes), with one fixed time stamp and no extra fields. Reading works on the central
 * directory, read by hand rather than with {@link java.util.zip.ZipInputStream}, so that the number
 * of entries, their names and their declared sizes are all checked against the limits before any
 * entry is inflated, and so that a file missing its end is reported as truncated rather than read
 * as a shorter archive.
 */
final class ZipContainer {

  private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 2, 1, 0, 0);
  private static final int LOCAL_HEADER = 0x04034b50;
  private static final int CENTRAL_HEADER = 0x02014b50;
  private static final int END_RECORD = 0x06054b50;
  private static final int LOCAL_HEADER_SIZE = 30;
  private static final int CENTRAL_HEADER_SIZE = 46;
  private static final int END_RECORD_SIZE = 22;
  private static final int FLAG_ENCRYPTED = 1;
  private static final int FLAG_DATA_DESCRIPTOR = 8;

  private ZipContainer() {}

  /** Writes {@code entries} in the given order. */
  static void write(List<Entry> entries, OutputStream out) throws IOException {
    ZipOutputStream zip = new ZipOutputStream(out, StandardCharsets.UTF_8);
    for (Entry e : entries) {
      ZipEntry entry = new ZipEntry(e.name());
      entry.setMethod(ZipEntry.STORED);
      entry.setTimeLocal(FIXED_TIME);
      CRC32 crc = new CRC32();
      crc.update(e.data());
      entry.setCrc(crc.getValue());
      entry.setSize(e.data().length);
      entry.setCompressedSize(e.data().length);
      zip.putNextEntry(entry);
      zip.write(e.data());
      zip.closeEntry();
    }
    zip.finish();
    zip.flush();
  }

  /** Reads the whole of {@code in}, up to the total-size limit. */
  static byte[] readAll(InputStream in, PayloadLimits limits) throws IOException, PayloadException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[16 * 1024];
    long total = 0;
    for (int n; (n = in.read(buffer)) >= 0; ) {
      total += n;
      if (total > limits.maxTotalBytes()) {
        throw new PayloadException(TOO_LARGE, "payload is larger than the limit of " + limits.maxTotalBytes() + " bytes");
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  /** Reads every entry of a zip file held in memory, in central-directory order. */
  static List<Entry> read(byte[] file, PayloadLimits limits) throws PayloadException {
    if (file.length == 0) {
      throw new PayloadException(TRUNCATED, "the file is empty");
    }
    int end = findEndRecord(file);
    if (end < 0) {
      if (startsLikeZip(file)) {
        throw new PayloadException(TRUNCATED, "the file is truncated: the zip directory at its end is missing");
      }
      throw new PayloadException(CORRUPT, "not a jlivepatch payload: not a zip file");
    }
    int count = u16(file, end + 10);
    if (u16(file, end + 4) != 0 || u16(file, end + 6) != 0 || u16(file, end + 8) != count) {
      throw new PayloadException(CORRUPT, "the zip end record is damaged or names several disks");
    }
    if (count > limits.maxEntries()) {
      throw new PayloadException(TOO_LARGE, "payload has " + count + " entries, more than the limit of "
          + limits.maxEntries());
    }
    long directorySize = u32(file, end + 12);
    long directoryStart = u32(file, end + 16);
    if (directoryStart + directorySize != end) {
      throw new PayloadException(CORRUPT, "the zip directory is damaged: it does not end where the end record starts");
    }

    List<Header> headers = new ArrayList<>(count);
    Set<String> names = new HashSet<>();
    long declaredTotal = 0;
    int p = (int) directoryStart;
    for (int i = 0; i < count; i++) {
      if (p + CENTRAL_HEADER_SIZE > end || u32(file, p) != CENTRAL_HEADER) {
        throw new PayloadException(CORRUPT, "the zip directory is damaged at entry " + (i + 1) + " of " + count);
      }
      Header h = new Header();
      h.flags = u16(file, p + 8);
      h.method = u16(file, p + 10);
      h.crc = u32(file, p + 16);
      h.compressedSize = u32(file, p + 20);
      h.size = u32(file, p + 24);
      int nameLength = u16(file, p + 28);
      int extraLength = u16(file, p + 30);
      int commentLength = u16(file, p + 32);
      h.localOffset = u32(file, p + 42);
      int next = p + CENTRAL_HEADER_SIZE + nameLength + extraLength + commentLength;
      if (next > end) {
        throw new PayloadException(CORRUPT, "the zip directory is damaged at entry " + (i + 1) + " of " + count);
      }
      h.nameBytes = Arrays.copyOfRange(file, p + CENTRAL_HEADER_SIZE, p + CENTRAL_HEADER_SIZE + nameLength);
      h.name = decodeName(h.nameBytes);
      String unsafe = PayloadFormat.unsafeEntryName(h.name);
      if (unsafe != null) {
        throw new PayloadException(UNSAFE_ENTRY, "payload has " + unsafe);
      }
      if (!names.add(h.name)) {
        throw new PayloadException(UNSAFE_ENTRY, "payload has entry " + PayloadFormat.printable(h.name) + " twice");
      }
      if ((h.flags & FLAG_ENCRYPTED) != 0) {
        throw new PayloadException(CORRUPT, "entry " + h.name + " is encrypted");
      }
      if (h.method != ZipEntry.STORED && h.method != ZipEntry.DEFLATED) {
        throw new PayloadException(CORRUPT, "entry " + h.name + " uses unsupported compression method " + h.method);
      }
      if (h.size > limits.maxEntryBytes()) {
        throw new PayloadException(TOO_LARGE, "entry " + h.name + " is " + h.size + " bytes, more than the limit of "
            + limits.maxEntryBytes());
      }
      declaredTotal += h.size;
      if (declaredTotal > limits.maxTotalBytes()) {
        throw new PayloadException(TOO_LARGE, "payload entries add up to more than the limit of "
            + limits.maxTotalBytes() + " bytes");
      }
      if (h.method == ZipEntry.STORED && h.compressedSize != h.size) {
        throw new PayloadException(CORRUPT, "entry " + h.name + " is stored with two different sizes");
      }
      headers.add(h);
      p = next;
    }
    if (p != end) {
      throw new PayloadException(CORRUPT, "the zip directory is damaged: it holds more than its " + count + " entries");
    }

    List<Entry> entries = new ArrayList<>(count);
    long inflatedTotal = 0;
    for (Header h : headers) {
      byte[] data = readEntry(file, h, directoryStart, limits, limits.maxTotalBytes() - inflatedTotal);
      inflatedTotal += data.length;
      entries.add(new Entry(h.name, data));
    }
    return entries;
  }

  private static byte[] readEntry(byte[] file, Header h, long directoryStart, PayloadLimits limits, long totalLeft)
      throws PayloadException {
    long at = h.localOffset;
    if (at + LOCAL_HEADER_SIZE > directoryStart || u32(file, (int) at) != LOCAL_HEADER) {
      throw new PayloadException(CORRUPT, "entry " + h.name + ": its local header is damaged");
    }
    int local = (int) at;
    int flags = u16(file, local + 6);
    int nameLength = u16(file, local + 26);
    int extraLength = u16(file, local + 28);
    long dataStart = at + LOCAL_HEADER_SIZE + nameLength + extraLength;
    boolean sameName = local + LOCAL_HEADER_SIZE + nameLength <= directoryStart
        && Arrays.equals(file, local + LOCAL_HEADER_SIZE, local + LOCAL_HEADER_SIZE + nameLength,
            h.nameBytes, 0, h.nameBytes.length);
    if (!sameName || flags != h.flags || u16(file, local + 8) != h.method) {
      throw new PayloadException(CORRUPT, "entry " + h.name + ": its local header does not match the zip directory");
    }
    if ((flags & FLAG_DATA_DESCRIPTOR) == 0
        && (u32(file, local + 14) != h.crc || u32(file, local + 18) != h.compressedSize
            || u32(file, local + 22) != h.size)) {
      throw new PayloadException(CORRUPT, "entry " + h.name + ": its local header does not match the zip directory");
    }
    if (dataStart + h.compressedSize > directoryStart) {
      throw new PayloadException(CORRUPT, "entry " + h.name + ": its data runs into the zip directory");
    }
    byte[] data;
    if (h.method == ZipEntry.STORED) {
      data = Arrays.copyOfRange(file, (int) dataStart, (int) (dataStart + h.size));
    } else {
      data = inflate(file, (int) dataStart, (int) h.compressedSize, h.name, limits, totalLeft);
    }
    if (data.length != h.size) {
      throw new PayloadException(CORRUPT, "entry " + h.name + " is " + data.length + " bytes, its zip directory says "
          + h.size);
    }
    CRC32 crc = new CRC32();
    crc.update(data);
    if (crc.getValue() != h.crc) {
      throw new PayloadException(CORRUPT, "entry " + h.name + " is damaged: its CRC-32 does not match");
    }
    return data;
  }

  /** Inflates one entry, never producing more than the limits allow, whatever its header claims. */
  private static byte[] inflate(byte[] file, int start, int length, String name, PayloadLimits limits, long totalLeft)
      throws PayloadException {
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(file, start, length);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[16 * 1024];
      long produced = 0;
      while (!inflater.finished()) {
        int n = inflater.inflate(buffer);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new PayloadException(CORRUPT, "entry " + name + ": its compressed data ends early");
        }
        produced += n;
        if (produced > limits.maxEntryBytes()) {
          throw new PayloadException(TOO_LARGE, "entry " + name + " inflates to more than the limit of "
              + limits.maxEntryBytes() + " bytes");
        }
        if (produced > totalLeft) {
          throw new PayloadException(TOO_LARGE, "payload entries inflate to more than the limit of "
              + limits.maxTotalBytes() + " bytes");
        }
        out.write(buffer, 0, n);
      }
      if (inflater.getRemaining() != 0) {
        throw new PayloadException(CORRUPT, "entry " + name + ": its compressed data is followed by garbage");
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new PayloadException(CORRUPT, "entry " + name + ": its compressed data is damaged");
    } finally {
      inflater.end();
    }
  }

  private static String decodeName(byte[] bytes) throws PayloadException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new PayloadException(CORRUPT, "payload has an entry name that is not UTF-8");
    }
  }

  /** Whether the file starts with a zip local header, or with a part of one. */
  private static boolean startsLikeZip(byte[] file) {
    byte[] magic = {'P', 'K', 3, 4};
    for (int i = 0; i < Math.min(4, file.length); i++) {
      if (file[i] != magic[i]) {
        return false;
      }
    }
    return true;
  }

  private static int findEndRecord(byte[] file) {
    int last = file.length - END_RECORD_SIZE;
    int first = Math.max(0, last - 0xFFFF);
    for (int p = last; p >= first; p--) {
      if (u32(file, p) == END_RECORD && p + END_RECORD_SIZE + u16(file, p + 20) == file.length) {
        return p;
      }
    }
    return -1;
  }

  private static int u16(byte[] b, int p) {
    return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8;
  }

  private static long u32(byte[] b, int p) {
    return (u16(b, p) | (long) u16(b, p + 2) << 16);
  }

  /** One central-directory record. */
  private static final class Header {
    String name;
    byte[] nameBytes;
    int flags;
    int method;
    long crc;
    long compressedSize;
    long size;
    long localOffset;
  }
}
