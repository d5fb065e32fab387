package org.jlivepatch.cli.attach;

import java.util.Objects;
import java.util.Optional;

/**
 * A JVM running on this machine, as far as it can be seen without attaching to it.
 *
 * @param pid the process id
 * @param displayName the launcher's description: main class or jar, then the arguments; may be
 *     empty when the JVM does not publish it
 * @param user the OS user the process runs as, if known
 * @param attachable whether the attach mechanism lists it as attachable by this user
 */
public record LocalJvm(long pid, String displayName, Optional<String> user, boolean attachable) {

  public LocalJvm {
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(user, "user");
  }

  /** The main class or jar: the display name's first word, or empty if there is none. */
  public String mainName() {
    String trimmed = displayName.strip();
    int space = trimmed.indexOf(' ');
    return space < 0 ? trimmed : trimmed.substring(0, space);
  }

  /** {@code pid (main)}, or just the pid when the main class or jar is unknown. */
  public String describe() {
    String main = mainName();
    return main.isEmpty() ? Long.toString(pid) : pid + " (" + main + ")";
  }
}
