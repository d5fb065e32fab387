package org.jlivepatch.cli.attach;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jlivepatch.cli.CliException;
import org.jlivepatch.cli.ExitCode;

/**
 * Turns the {@code PID} argument of a command into one JVM: a process id, or a unique part of the
 * main class or jar name of a local JVM.
 */
public final class TargetResolver {

  private final Supplier<List<LocalJvm>> jvms;
  private final LongFunction<Optional<LocalJvm>> jvmWithPid;
  private final long self;
  private final String user;

  /**
   * Resolves against the JVMs on this machine, as the current OS user. A pid is looked up alone
   * ({@link LocalJvms#find}): listing every JVM opens the performance data of each.
   */
  public TargetResolver() {
    this(LocalJvms::list, LocalJvms::find, ProcessHandle.current().pid(), System.getProperty("user.name", ""));
  }

  /**
   * @param jvms the JVMs to choose from, this process excluded
   * @param self this process's pid, which is never a target
   * @param user the OS user running the command
   */
  public TargetResolver(Supplier<List<LocalJvm>> jvms, long self, String user) {
    this(jvms, pid -> Optional.empty(), self, user);
  }

  /**
   * @param jvms the JVMs to choose from, this process excluded
   * @param jvmWithPid the JVM with a pid, looked up without listing the others, if found that way;
   *     when it is not, the pid is looked for in {@code jvms}
   * @param self this process's pid, which is never a target
   * @param user the OS user running the command
   */
  public TargetResolver(Supplier<List<LocalJvm>> jvms, LongFunction<Optional<LocalJvm>> jvmWithPid, long self,
      String user) {
    this.jvms = Objects.requireNonNull(jvms, "jvms");
    this.jvmWithPid = Objects.requireNonNull(jvmWithPid, "jvmWithPid");
    this.self = self;
    this.user = Objects.requireNonNull(user, "user");
  }

  /**
   * Returns the JVM the argument names, one this user can attach to.
   *
   * @throws CliException exit 1 when no JVM matches or it cannot be attached to, exit 2 when the
   *     argument is ambiguous or names this process
   */
  public LocalJvm resolve(String argument) {
    String spec = Objects.requireNonNull(argument, "argument").strip();
    if (spec.isEmpty()) {
      throw new CliException(ExitCode.USAGE, "empty PID: give a process id or part of a main class or jar name");
    }
    LocalJvm target = isPid(spec) ? byPid(Long.parseLong(spec)) : byName(spec);
    checkAttachable(target);
    return target;
  }

  private static boolean isPid(String spec) {
    return spec.length() < 19 && spec.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  private LocalJvm byPid(long pid) {
    if (pid == self) {
      throw new CliException(ExitCode.USAGE, "pid " + pid + " is this jlivepatch process; name the JVM to patch");
    }
    Optional<LocalJvm> alone = jvmWithPid.apply(pid);
    if (alone.isPresent()) {
      return alone.get();
    }
    Optional<LocalJvm> listed = jvms.get().stream().filter(jvm -> jvm.pid() == pid).findFirst();
    if (listed.isPresent()) {
      return listed.get();
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      throw new CliException(ExitCode.FAILURE, "no JVM with pid " + pid + " (see 'jlivepatch jvms')");
    }
    Optional<String> owner = process.get().info().user();
    if (owner.isPresent() && !owner.get().equals(user)) {
      throw otherUser(pid, owner.get());
    }
    // No performance data: not a JVM, or one started with -XX:-UsePerfData. Attaching would send
    // SIGQUIT to the process, which kills anything that is not a JVM, so it is not tried.
    throw new CliException(ExitCode.FAILURE, "process " + pid
        + " is not a JVM this user can see (not a JVM, or started with -XX:-UsePerfData; see 'jlivepatch jvms')");
  }

  private LocalJvm byName(String part) {
    List<LocalJvm> matches = jvms.get().stream()
        .filter(jvm -> jvm.pid() != self && jvm.mainName().contains(part))
        .toList();
    if (matches.isEmpty()) {
      throw new CliException(ExitCode.FAILURE, "no JVM whose main class or jar contains '" + part + "' (see 'jlivepatch jvms')");
    }
    if (matches.size() > 1) {
      throw new CliException(ExitCode.USAGE, "'" + part + "' matches " + matches.size() + " JVMs: "
          + matches.stream().map(LocalJvm::describe).collect(Collectors.joining(", ")) + "; give the pid");
    }
    return matches.get(0);
  }

  private void checkAttachable(LocalJvm jvm) {
    if (jvm.user().isPresent() && !jvm.user().get().equals(user)) {
      throw otherUser(jvm.pid(), jvm.user().get());
    }
    if (!jvm.attachable()) {
      throw new CliException(ExitCode.FAILURE, "JVM " + jvm.describe()
          + " does not accept attach (started with -XX:+DisableAttachMechanism, or still starting)");
    }
  }

  private CliException otherUser(long pid, String owner) {
    // Root could attach, but the agent would then read files written by root: run as the owner.
    return new CliException(ExitCode.FAILURE, "JVM " + pid + " runs as user '" + owner + "', not '" + user
        + "'; jlivepatch attaches only to JVMs of its own user: run it as '" + owner + "'");
  }
}
