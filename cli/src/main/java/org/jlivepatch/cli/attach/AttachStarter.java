package org.jlivepatch.cli.attach;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a local HotSpot JVM's attach listener the way the JDK's attach API does, but without its
 * fixed wait: the JDK creates the trigger file {@code .attach_pid<pid>}, sends {@code SIGQUIT},
 * then sleeps 100 ms before it first looks for the listener's socket, though a JVM answers in a few
 * milliseconds. This does the same steps and looks every millisecond; {@code VirtualMachine.attach}
 * then finds the socket and connects at once.
 *
 * <p>Best effort, Linux only, and only where it is as safe as the JDK's own attach: the target is
 * in this process's pid namespace and file system root (so the trigger and the socket are this
 * {@code /tmp}'s), catches {@code SIGQUIT} (a JVM started with {@code -Xrs} would die of it; the
 * JDK 21+ attach API makes the same check), and has no listener yet (a JVM whose listener runs
 * answers {@code SIGQUIT} with a thread dump). Anything else, or no socket in time, leaves the
 * attach to the JDK, which goes its usual way.
 */
final class AttachStarter {

  /** How long to look for the socket before leaving the attach to the JDK. */
  private static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);
  /** {@code SIGQUIT}, in the bit masks of {@code /proc/PID/status}. */
  private static final int SIGQUIT = 3;

  private AttachStarter() {}

  /**
   * Starts the attach listener of {@code pid} if it can do so safely.
   *
   * @return true when the listener's socket exists now and was not there before
   */
  static boolean start(long pid) {
    Path proc = Path.of("/proc", Long.toString(pid));
    Path socket = Path.of("/tmp", ".java_pid" + pid);
    try {
      if (!Files.isDirectory(proc) || Files.exists(socket, LinkOption.NOFOLLOW_LINKS)
          || !Files.isSameFile(proc.resolve("root"), Path.of("/proc/self/root"))) {
        return false;
      }
      List<String> status = Files.readAllLines(proc.resolve("status"));
      if (!catchesQuit(status) || !sameNamespace(status)) {
        return false;
      }
      Path trigger = Path.of("/tmp", ".attach_pid" + pid);
      try {
        Files.createFile(trigger);
      } catch (FileAlreadyExistsException e) {
        return false; // another attach is starting it: leave this one to the JDK
      }
      try {
        if (!quit(pid)) {
          return false;
        }
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
          if (System.nanoTime() > deadline) {
            return false;
          }
          Thread.sleep(1);
        }
        return true;
      } finally {
        Files.deleteIfExists(trigger);
      }
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether the process catches {@code SIGQUIT} ({@code SigCgt} in its status). */
  static boolean catchesQuit(List<String> status) {
    for (String line : status) {
      if (line.startsWith("SigCgt:")) {
        long mask = Long.parseUnsignedLong(line.substring("SigCgt:".length()).strip(), 16);
        return (mask & (1L << (SIGQUIT - 1))) != 0;
      }
    }
    return false;
  }

  /** Whether the process has one pid only ({@code NSpid}): it runs in this pid namespace's view as itself. */
  static boolean sameNamespace(List<String> status) {
    for (String line : status) {
      if (line.startsWith("NSpid:")) {
        return line.substring("NSpid:".length()).strip().split("\\s+").length == 1;
      }
    }
    return true; // kernels before 4.1 have no NSpid and no nested pid namespaces to speak of here
  }

  /** Sends {@code SIGQUIT} with {@code kill}; Java has no call for it. */
  private static boolean quit(long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(pid))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    return kill.waitFor(2, TimeUnit.SECONDS) && kill.exitValue() == 0;
  }
}
