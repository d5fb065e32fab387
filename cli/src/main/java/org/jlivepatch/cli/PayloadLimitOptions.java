package org.jlivepatch.cli;

import org.jlivepatch.core.payload.PayloadLimits;
import picocli.CommandLine.Option;

/** Options that change the limits a payload is read with; the defaults are {@link PayloadLimits#DEFAULT}. */
final class PayloadLimitOptions {

  @Option(names = "--max-payload-bytes", paramLabel = "N", defaultValue = "4194304",
      description = "Refuse a payload larger than N bytes, file or inflated content (default: ${DEFAULT-VALUE}).")
  long maxTotalBytes;

  @Option(names = "--max-payload-entries", paramLabel = "N", defaultValue = "4096",
      description = "Refuse a payload with more than N entries (default: ${DEFAULT-VALUE}).")
  int maxEntries;

  @Option(names = "--max-entry-bytes", paramLabel = "N", defaultValue = "1048576",
      description = "Refuse a payload with an entry larger than N bytes (default: ${DEFAULT-VALUE}).")
  long maxEntryBytes;

  @Option(names = "--max-methods", paramLabel = "N", defaultValue = "10000",
      description = "Refuse a payload that patches more than N methods (default: ${DEFAULT-VALUE}).")
  int maxMethods;

  /** The limits asked for. */
  PayloadLimits limits() {
    try {
      return new PayloadLimits(maxTotalBytes, maxEntries, maxEntryBytes, maxMethods);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, e.getMessage(), e);
    }
  }
}
