package org.jlivepatch.agent.rt;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Startup mode ({@code -javaagent:jlivepatch-agent.jar=patches=DIR[,trust=FILE]}): applies every
 * payload in the directories, in stack order, before the application's classes load; their
 * classes are then patched as they load. A bad payload is audited and skipped, and so is every
 * payload built on it; the application starts regardless.
 */
final class StartupPatches {

  private final AgentRuntime runtime;

  StartupPatches(AgentRuntime runtime) {
    this.runtime = runtime;
  }

  void apply(String options) {
    List<Path> directories = new ArrayList<>();
    for (String option : options.split(",")) {
      String item = option.trim();
      if (item.isEmpty()) {
        continue;
      }
      if (item.startsWith("patches=")) {
        directories.add(Path.of(item.substring("patches=".length())));
      } else if (item.startsWith("trust=")) {
        runtime.setStartupTrustFile(Path.of(item.substring("trust=".length())));
      } else {
        runtime.audit().warning("unknown agent option '" + item + "' ignored; expected patches=DIR or trust=FILE");
      }
    }
    String user = System.getProperty("user.name", "");
    List<Incoming> loaded = new ArrayList<>();
    for (Path directory : directories) {
      for (Path file : payloadFiles(directory)) {
        try {
          loaded.add(runtime.payloads().read(file));
        } catch (CommandException e) {
          runtime.audit().record(user, "startup", file.getFileName().toString(), e.exitCode(),
              e.step() + ": " + e.getMessage() + "; skipped");
        }
      }
    }
    // Stack order: each payload's depends names the one below.
    while (!loaded.isEmpty()) {
      Optional<String> top = runtime.stack().top().map(AppliedPatch::id);
      Optional<Incoming> next = loaded.stream().filter(i -> i.patch().depends().equals(top)).findFirst();
      if (next.isEmpty()) {
        break;
      }
      loaded.remove(next.get());
      try {
        CommandResult done = runtime.locked(RequestHandler.DEFAULT_TIMEOUT_MILLIS,
            () -> runtime.engine().apply(next.get(), user, false, PatchEngine.SwitchOptions.IMMEDIATE));
        runtime.audit().record(user, "startup", done.patchId(), 0, done.message() + " (" + next.get().source() + ")");
      } catch (CommandException e) {
        runtime.audit().record(user, "startup", next.get().patch().id(), e.exitCode(),
            e.step() + ": " + e.getMessage() + "; skipped");
      }
    }
    for (Incoming skipped : loaded) {
      runtime.audit().record(user, "startup", skipped.patch().id(), CommandException.REFUSED,
          "stack: patch " + skipped.patch().id() + " depends on "
              + skipped.patch().depends().orElse("no patch") + ", which is not the top of the stack ("
              + runtime.stack().top().map(AppliedPatch::id).orElse("empty") + "); skipped");
    }
  }

  private List<Path> payloadFiles(Path directory) {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*.jlp")) {
      stream.forEach(files::add);
    } catch (IOException | RuntimeException e) {
      runtime.audit().warning("patch directory " + directory + " cannot be read: " + e);
    }
    files.sort(null);
    return files;
  }
}
