package org.jlivepatch.core.payload;

/**
 * Bounds a reader enforces before it parses a payload deeply, so that a hostile or broken file
 * costs bounded memory and time.
 *
 * @param maxTotalBytes the largest payload file, and the largest sum of its inflated entries
 * @param maxEntries the most zip entries
 * @param maxEntryBytes the largest inflated entry
 * @param maxMethods the most patched methods over all classes
 */
public record PayloadLimits(long maxTotalBytes, int maxEntries, long maxEntryBytes, int maxMethods) {

  /** 4 MiB in total, 4096 entries, 1 MiB per entry, 10,000 methods. */
  public static final PayloadLimits DEFAULT = new PayloadLimits(4L << 20, 4096, 1L << 20, 10_000);

  public PayloadLimits {
    if (maxTotalBytes <= 0 || maxEntries <= 0 || maxEntryBytes <= 0 || maxMethods <= 0) {
      throw new IllegalArgumentException("payload limits must be positive: " + maxTotalBytes + " bytes, "
          + maxEntries + " entries, " + maxEntryBytes + " bytes per entry, " + maxMethods + " methods");
    }
    if (maxTotalBytes > Integer.MAX_VALUE - 8 || maxEntryBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("payload limits above 2 GiB are not supported");
    }
  }

  /** These limits with another maximum total size. */
  public PayloadLimits withMaxTotalBytes(long bytes) {
    return new PayloadLimits(bytes, maxEntries, maxEntryBytes, maxMethods);
  }

  /** These limits with another maximum number of entries. */
  public PayloadLimits withMaxEntries(int entries) {
    return new PayloadLimits(maxTotalBytes, entries, maxEntryBytes, maxMethods);
  }

  /** These limits with another maximum entry size. */
  public PayloadLimits withMaxEntryBytes(long bytes) {
    return new PayloadLimits(maxTotalBytes, maxEntries, bytes, maxMethods);
  }

  /** These limits with another maximum number of methods. */
  public PayloadLimits withMaxMethods(int methods) {
    return new PayloadLimits(maxTotalBytes, maxEntries, maxEntryBytes, methods);
  }
}
