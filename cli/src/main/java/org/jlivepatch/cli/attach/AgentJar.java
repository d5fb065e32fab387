package org.jlivepatch.cli.attach;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import org.jlivepatch.cli.CliException;
import org.jlivepatch.cli.ExitCode;

/**
 * Finds the agent jar to load into a target JVM.
 *
 * <p>In order: the system property {@value #PROPERTY}, the environment variable {@value #ENV}, or
 * the jar embedded in the CLI as the resource {@value #RESOURCE}, extracted once to a per-user
 * cache file named by its size and CRC-32. A fixed name per content matters: the agent keeps its
 * state in the target's system class loader, and loading the same jar again reaches the same
 * state. CRC-32 rather than a cryptographic hash: the cache directory is private to the user, so
 * the name only has to tell builds apart, and CRC-32 is native code where SHA-256 of the jar, twice
 * per command, cost a fresh JVM tens of milliseconds.
 */
public final class AgentJar {

  /** System property naming an agent jar to use instead of the embedded one. */
  public static final String PROPERTY = "jlivepatch.agent.jar";
  /** Environment variable naming an agent jar to use instead of the embedded one. */
  public static final String ENV = "JLIVEPATCH_AGENT_JAR";
  /** Where the CLI jar carries the agent jar. */
  public static final String RESOURCE = "org/jlivepatch/cli/jlivepatch-agent.jar";

  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

  private AgentJar() {}

  /**
   * The absolute path of the agent jar.
   *
   * @throws CliException exit 1 when the named jar does not exist, or the CLI has none embedded
   */
  public static Path locate() {
    return locate(System.getProperties().getProperty(PROPERTY), System.getenv(), AgentJar.class.getClassLoader());
  }

  static Path locate(String property, Map<String, String> env, ClassLoader loader) {
    if (property != null && !property.isBlank()) {
      return existing(property, "-D" + PROPERTY);
    }
    String fromEnv = env.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return existing(fromEnv, ENV);
    }
    byte[] embedded = embedded(loader);
    if (embedded == null) {
      throw new CliException(ExitCode.FAILURE, "this jlivepatch build has no embedded agent jar (" + RESOURCE
          + "); name one with -D" + PROPERTY + "=PATH or " + ENV + "=PATH");
    }
    try {
      return extract(embedded, cacheDirectory());
    } catch (IOException e) {
      throw new CliException(ExitCode.FAILURE, "cannot extract the agent jar: " + e.getMessage(), e);
    }
  }

  private static Path existing(String path, String source) {
    Path jar = Path.of(path).toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar) || !Files.isReadable(jar)) {
      throw new CliException(ExitCode.FAILURE, "agent jar " + jar + " (from " + source + ") does not exist or is not readable");
    }
    return jar;
  }

  private static byte[] embedded(ClassLoader loader) {
    try (InputStream in = loader.getResourceAsStream(RESOURCE)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new CliException(ExitCode.FAILURE, "cannot read the embedded agent jar: " + e.getMessage(), e);
    }
  }

  /**
   * {@code $XDG_CACHE_HOME/jlivepatch} or {@code ~/.cache/jlivepatch}; without a home, a directory
   * of this user's own in the temp directory.
   */
  static Path cacheDirectory() throws IOException {
    String xdg = System.getenv("XDG_CACHE_HOME");
    String home = System.getProperty("user.home");
    if (xdg != null && Path.of(xdg).isAbsolute()) {
      return privateDirectory(Path.of(xdg, "jlivepatch"));
    }
    if (home != null && !home.isBlank() && !home.equals("?") && Files.isDirectory(Path.of(home))) {
      return privateDirectory(Path.of(home, ".cache", "jlivepatch"));
    }
    return privateDirectory(Path.of(System.getProperty("java.io.tmpdir"),
        "jlivepatch-" + System.getProperty("user.name", "user")));
  }

  /**
   * Creates {@code dir} (mode 0700 where POSIX) or checks that an existing one belongs to this
   * user and is not writable by others: the jar in it is run inside the target JVM.
   */
  private static Path privateDirectory(Path dir) throws IOException {
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    try {
      Files.createDirectories(dir.getParent());
      if (posix) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } else {
        Files.createDirectory(dir);
      }
    } catch (FileAlreadyExistsException e) {
      // checked below
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(dir + " is not a directory");
    }
    if (posix) {
      String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
      if (!owner.equals(System.getProperty("user.name"))
          || permissions.contains(PosixFilePermission.GROUP_WRITE)
          || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
        throw new IOException(dir + " belongs to '" + owner + "' or is writable by others; remove it or set " + ENV);
      }
    }
    return dir;
  }

  /** Writes {@code jar} as {@code agent-<size>-<crc32>.jar} in {@code dir} unless an intact copy is there. */
  static Path extract(byte[] jar, Path dir) throws IOException {
    String name = cacheName(jar);
    Path target = dir.resolve(name);
    if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == jar.length
        && name.equals(cacheName(Files.readAllBytes(target)))) {
      return target;
    }
    Path temporary = Files.createTempFile(dir, "agent-", ".tmp");
    try {
      Files.write(temporary, jar);
      try {
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
    return target;
  }

  /** {@code agent-<size>-<crc32>.jar}: the cache file's name for {@code jar}. */
  static String cacheName(byte[] jar) {
    CRC32 crc = new CRC32();
    crc.update(jar);
    return "agent-" + jar.length + "-" + String.format("%08x", crc.getValue()) + ".jar";
  }
}
