package org.jlivepatch.cli;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Progress lines on standard error for slow steps (attach, agent load), shown only at a terminal. */
final class Progress {

  private static final boolean STDERR_IS_TERMINAL = stderrIsTerminal();

  private Progress() {}

  /** A sink that prints to {@code err} when standard error is a terminal, and drops lines otherwise. */
  static Consumer<String> to(PrintWriter err) {
    if (!STDERR_IS_TERMINAL) {
      return line -> {};
    }
    return line -> {
      err.println("jlivepatch: " + line);
      err.flush();
    };
  }

  private static boolean stderrIsTerminal() {
    try {
      // Linux: file descriptor 2 is a terminal device.
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      // Elsewhere the best Java can tell is whether there is an interactive console at all.
      Console console = System.console();
      return console != null && isTerminal(console);
    }
  }

  /** {@code Console.isTerminal()} where it exists (JDK 22+, where a console may be a pipe). */
  private static boolean isTerminal(Console console) {
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }
}
