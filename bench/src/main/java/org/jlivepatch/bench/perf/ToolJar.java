package org.jlivepatch.bench.perf;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Writes the floor's jar: {@link RawRedefineAgent} and {@link FloorClient} only, with the agent
 * manifest attributes, so the floor pays for no class it does not need.
 */
final class ToolJar {

  private ToolJar() {}

  static Path write(Path file) throws IOException {
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    main.putValue("Agent-Class", RawRedefineAgent.class.getName());
    main.putValue("Premain-Class", RawRedefineAgent.class.getName());
    main.putValue("Can-Redefine-Classes", "true");
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
      for (Class<?> type : new Class<?>[] {RawRedefineAgent.class, FloorClient.class}) {
        String entry = type.getName().replace('.', '/') + ".class";
        jar.putNextEntry(new JarEntry(entry));
        try (InputStream in = ToolJar.class.getClassLoader().getResourceAsStream(entry)) {
          in.transferTo(jar);
        }
        jar.closeEntry();
      }
    }
    return file;
  }
}
