package org.jlivepatch.cli.attach;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.jlivepatch.cli.CliException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentJarTest {

  @TempDir Path dir;

  private final ClassLoader nothingEmbedded = new URLClassLoader(new URL[0], null);

  @Test
  void propertyWinsOverEnvironment() throws IOException {
    Path fromProperty = Files.writeString(dir.resolve("p.jar"), "p");
    Path fromEnv = Files.writeString(dir.resolve("e.jar"), "e");
    assertThat(AgentJar.locate(fromProperty.toString(), Map.of(AgentJar.ENV, fromEnv.toString()), nothingEmbedded))
        .isEqualTo(fromProperty);
    assertThat(AgentJar.locate(null, Map.of(AgentJar.ENV, fromEnv.toString()), nothingEmbedded)).isEqualTo(fromEnv);
  }

  @Test
  void missingOverrideNamesItsSource() {
    assertThatThrownBy(() -> AgentJar.locate(dir.resolve("nope.jar").toString(), Map.of(), nothingEmbedded))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("nope.jar (from -Djlivepatch.agent.jar) does not exist");
  }

  @Test
  void noEmbeddedJarSaysHowToNameOne() {
    assertThatThrownBy(() -> AgentJar.locate(null, Map.of(), nothingEmbedded))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("no embedded agent jar")
        .hasMessageContaining(AgentJar.ENV);
  }

  @Test
  void extractsOnceByContentHashAndRepairsADamagedCopy() throws IOException {
    byte[] jar = "agent bytes".getBytes(StandardCharsets.UTF_8);
    Path first = AgentJar.extract(jar, dir);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(jar);
    assertThat(first.getFileName().toString()).isEqualTo(String.format("agent-11-%08x.jar", crc.getValue()));
    byte[] other = "agent bytez".getBytes(StandardCharsets.UTF_8);
    assertThat(AgentJar.extract(other, dir)).as("another build, another file").isNotEqualTo(first);
    Files.delete(AgentJar.extract(other, dir));
    assertThat(Files.readAllBytes(first)).isEqualTo(jar);
    long modified = Files.getLastModifiedTime(first).toMillis();
    assertThat(AgentJar.extract(jar, dir)).isEqualTo(first);
    assertThat(Files.getLastModifiedTime(first).toMillis()).isEqualTo(modified);

    Files.writeString(first, "damaged");
    assertThat(AgentJar.extract(jar, dir)).isEqualTo(first);
    assertThat(Files.readAllBytes(first)).isEqualTo(jar);
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(first);
    }
  }

  @Test
  void cacheDirectoryIsPrivate() throws IOException {
    Path cache = AgentJar.cacheDirectory();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).matches("rwx.-..-.");
  }
}
