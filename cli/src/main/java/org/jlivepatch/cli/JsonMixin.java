package org.jlivepatch.cli;

import picocli.CommandLine.Option;

/** The {@code --json} option shared by every command that can print JSON. */
public final class JsonMixin {

  @Option(names = "--json", description = "Print exactly one JSON object on standard output.")
  boolean json;

  /** Whether JSON output was asked for. */
  public boolean enabled() {
    return json;
  }
}
