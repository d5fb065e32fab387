package org.jlivepatch.it;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.jlivepatch.cli.JLivePatch;

/** Runs the real {@code jlivepatch} CLI in this JVM against a forked target. */
final class Cli {

  /** One CLI run: exit code and what it printed. */
  record Run(int exitCode, String out, String err) {

    /** The single JSON object printed with {@code --json}. */
    JsonObject json() {
      return JsonParser.parseString(out).getAsJsonObject();
    }

    String all() {
      return out + err;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out\n" + out + "\n--- err\n" + err;
    }
  }

  private Cli() {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit;
    try (PrintWriter outWriter = new PrintWriter(out); PrintWriter errWriter = new PrintWriter(err)) {
      exit = JLivePatch.run(outWriter, errWriter, args);
    }
    return new Run(exit, out.toString(), err.toString());
  }
}
