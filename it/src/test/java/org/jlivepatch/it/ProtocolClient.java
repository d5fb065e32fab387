package org.jlivepatch.it;

import com.sun.tools.attach.VirtualMachine;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;

/**
 * Speaks the agent protocol directly (docs/agent-protocol.md), for checks of the agent itself that
 * the CLI would stop before they reach it (the CLI checks payloads first).
 */
final class ProtocolClient {

  private ProtocolClient() {}

  static Path agentJar() {
    return Path.of(System.getProperty("jlivepatch.agent.jar"));
  }

  /** Sends one request and returns the agent's result properties. */
  static Properties send(long pid, Map<String, String> request) throws Exception {
    Path dir = Files.createTempDirectory("jlp-it-", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    Properties properties = new Properties();
    properties.setProperty("protocol", "1");
    properties.setProperty("user", System.getProperty("user.name"));
    properties.putAll(request);
    Path requestFile = dir.resolve("request.properties");
    try (Writer writer = Files.newBufferedWriter(requestFile, StandardCharsets.UTF_8)) {
      properties.store(writer, null);
    }
    VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
    try {
      vm.loadAgent(agentJar().toString(), "request=" + requestFile);
    } finally {
      vm.detach();
    }
    Properties result = new Properties();
    try (Reader reader = Files.newBufferedReader(dir.resolve("result.properties"), StandardCharsets.UTF_8)) {
      result.load(reader);
    }
    return result;
  }
}
