package org.jlivepatch.cli.attach;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the JVMs on this machine: those the attach mechanism lists, plus those it leaves out
 * because they are not attachable by this user (attach disabled, another user, still starting),
 * found by their performance-data files ({@code hsperfdata_<user>/<pid>}).
 */
public final class LocalJvms {

  private LocalJvms() {}

  /** Every JVM visible on this machine except this one, by pid. */
  public static List<LocalJvm> list() {
    long self = ProcessHandle.current().pid();
    Map<Long, LocalJvm> found = new LinkedHashMap<>();
    for (VirtualMachineDescriptor descriptor : VirtualMachine.list()) {
      long pid;
      try {
        pid = Long.parseLong(descriptor.id());
      } catch (NumberFormatException e) {
        continue; // not a local process id
      }
      if (pid != self) {
        found.put(pid, new LocalJvm(pid, descriptor.displayName(), owner(pid), true));
      }
    }
    for (long pid : perfDataPids()) {
      if (pid != self && !found.containsKey(pid)) {
        ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(
            process -> found.put(pid, new LocalJvm(pid, commandDisplayName(process), owner(pid), false)));
      }
    }
    List<LocalJvm> jvms = new ArrayList<>(found.values());
    jvms.sort(Comparator.comparingLong(LocalJvm::pid));
    return jvms;
  }

  /**
   * The running JVM with {@code pid}, found without listing the others: it has a performance-data
   * file, so it is a HotSpot JVM. Its description comes from its command line; whether it accepts
   * attach shows only when attaching (listed as attachable here). Empty when it has no
   * performance-data file or is not running.
   */
  public static Optional<LocalJvm> find(long pid) {
    if (pid == ProcessHandle.current().pid() || !hasPerfData(pid)) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .map(process -> new LocalJvm(pid, commandDisplayName(process), process.info().user(), true));
  }

  private static boolean hasPerfData(long pid) {
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(perfDataRoot(), "hsperfdata_*")) {
      for (Path dir : dirs) {
        if (Files.isRegularFile(dir.resolve(Long.toString(pid)))) {
          return true;
        }
      }
    } catch (IOException | SecurityException e) {
      // no performance data visible: the full list decides
    }
    return false;
  }

  /** The OS user a process runs as, if the process exists and the OS says. */
  public static Optional<String> owner(long pid) {
    return ProcessHandle.of(pid).flatMap(process -> process.info().user());
  }

  /**
   * The pids that have a performance-data file in any {@code hsperfdata_*} directory: HotSpot
   * JVMs (unless started with {@code -XX:-UsePerfData}), whoever runs them.
   */
  static List<Long> perfDataPids() {
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(perfDataRoot(), "hsperfdata_*")) {
      for (Path dir : dirs) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
          for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.chars().allMatch(Character::isDigit) && !name.isEmpty() && name.length() < 19) {
              pids.add(Long.parseLong(name));
            }
          }
        } catch (IOException | SecurityException e) {
          // another user's directory may be unreadable; its JVMs are out of reach anyway
        }
      }
    } catch (IOException | SecurityException e) {
      // no performance data at all: only the attach mechanism's list counts
    }
    return pids;
  }

  /** Where HotSpot writes performance data: always /tmp on Linux, the temp directory elsewhere. */
  private static Path perfDataRoot() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    return Path.of(os.contains("linux") ? "/tmp" : System.getProperty("java.io.tmpdir"));
  }

  /**
   * A display name in the attach mechanism's form (main class or jar, then arguments) from the
   * process's command line, for JVMs the attach mechanism does not describe.
   */
  static String commandDisplayName(ProcessHandle process) {
    Optional<String[]> arguments = process.info().arguments();
    if (arguments.isEmpty()) {
      return "";
    }
    return displayNameFromArguments(List.of(arguments.get()));
  }

  /** The main class or jar and its arguments, from the arguments of a {@code java} launcher. */
  static String displayNameFromArguments(List<String> arguments) {
    for (int i = 0; i < arguments.size(); i++) {
      String argument = arguments.get(i);
      switch (argument) {
        case "-cp", "-classpath", "--class-path", "-p", "--module-path", "--add-modules",
            "--add-exports", "--add-opens", "--add-reads", "--limit-modules",
            "--upgrade-module-path", "--patch-module" -> i++;
        case "-jar", "-m", "--module" -> {
          return String.join(" ", arguments.subList(Math.min(i + 1, arguments.size()), arguments.size()));
        }
        default -> {
          if (!argument.startsWith("-")) {
            return String.join(" ", arguments.subList(i, arguments.size()));
          }
        }
      }
    }
    return "";
  }
}
