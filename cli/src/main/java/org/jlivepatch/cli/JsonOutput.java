package org.jlivepatch.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes the one JSON object a command prints with {@code --json}. */
public final class JsonOutput {

  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().serializeNulls().create();

  private JsonOutput() {}

  /** Prints {@code object} (maps, lists, strings, numbers, booleans, records) as JSON. */
  public static void print(PrintWriter out, Object object) {
    out.println(GSON.toJson(object));
    out.flush();
  }

  /** The object printed for a failed command: {@code {"error": message, "exitCode": code}}. */
  public static Map<String, Object> error(String message, int exitCode) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("error", message);
    error.put("exitCode", exitCode);
    return error;
  }
}
