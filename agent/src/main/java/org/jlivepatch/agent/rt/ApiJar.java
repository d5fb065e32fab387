package org.jlivepatch.agent.rt;

import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarFile;

/**
 * Puts the hook api ({@code org.jlivepatch.api}, embedded in the agent jar as
 * {@code jlivepatch-api.jar}) on the bootstrap class path, once per JVM, when the first payload
 * with hooks is handled.
 *
 * <p>Not earlier: appending to the bootstrap class path makes JDK 17+ print "Sharing is only
 * supported for boot loader classes because bootstrap classpath has been appended" and load every
 * later class without class data sharing. A JVM that only ever receives hook-less patches keeps
 * its boot class path as it was started. No class of the agent may link an api class before
 * {@link #install}: a failed resolution would stick to it (JVMS 5.4.3), which is why only
 * {@link Hooks} names api types, and only {@link PatchHooks} calls it.
 */
final class ApiJar {

  /** A class of the api, to tell whether the bootstrap class loader already finds it. */
  static final String API_CLASS = "org.jlivepatch.api.PatchHook";

  private static boolean installed;

  private ApiJar() {}

  /**
   * Makes the api loadable by the bootstrap class loader, unless it already is.
   *
   * @throws CommandException at {@code step} if the embedded jar cannot be extracted or appended
   */
  static synchronized void install(Instrumentation instrumentation, String step) throws CommandException {
    if (installed) {
      return;
    }
    try {
      Class.forName(API_CLASS, false, null);
      installed = true;
      return;
    } catch (ClassNotFoundException notYet) {
      // the first payload with hooks in this JVM
    }
    try {
      Path jar = Files.createTempFile("jlivepatch-api-", ".jar");
      jar.toFile().deleteOnExit();
      try (InputStream in = ApiJar.class.getResourceAsStream("/org/jlivepatch/agent/jlivepatch-api.jar")) {
        if (in == null) {
          throw new IllegalStateException("jlivepatch-api.jar is missing from the agent jar");
        }
        Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
      }
      instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
      installed = true;
    } catch (Exception | LinkageError e) {
      throw CommandException.failed(step, "cannot make the hook api " + API_CLASS + " available: " + e
          + "; nothing changed");
    }
  }
}
