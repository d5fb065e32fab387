package org.jlivepatch.it;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The agent protocol (docs/agent-protocol.md) over one attachment kept open for many requests: the
 * same {@code loadAgent} the CLI makes per command, without a new attach handshake each time, for
 * tests that send hundreds of commands. A result with {@code pending=true} (a per-thread transition
 * still running) is followed by {@code await} requests until the final result arrives.
 */
final class AgentSession implements AutoCloseable {

  private final VirtualMachine vm;
  private final Path dir;
  private final Path requestFile;
  private final Path resultFile;
  /** Requests answered {@code pending=true}, then awaited. */
  private int pendings;

  AgentSession(long pid) throws Exception {
    this.dir = Files.createTempDirectory("jlp-it-", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    this.requestFile = dir.resolve("request.properties");
    this.resultFile = dir.resolve("result.properties");
    this.vm = VirtualMachine.attach(Long.toString(pid));
  }

  /** Sends one request and returns the agent's result, as it comes (pending or not). */
  Properties send(Map<String, String> request) throws Exception {
    Properties properties = new Properties();
    properties.setProperty("protocol", "1");
    properties.setProperty("user", System.getProperty("user.name"));
    properties.putAll(request);
    Files.deleteIfExists(resultFile);
    try (Writer writer = Files.newBufferedWriter(requestFile, StandardCharsets.UTF_8)) {
      properties.store(writer, null);
    }
    vm.loadAgent(ProtocolClient.agentJar().toString(), "request=" + requestFile);
    Properties result = new Properties();
    try (Reader reader = Files.newBufferedReader(resultFile, StandardCharsets.UTF_8)) {
      result.load(reader);
    }
    return result;
  }

  /** Sends a request and, while its transition runs, awaits it; returns the final result. */
  Properties command(Map<String, String> request) throws Exception {
    Properties result = send(request);
    long deadline = System.nanoTime() + 120_000_000_000L;
    while ("true".equals(result.getProperty("pending"))) {
      pendings++;
      if (System.nanoTime() > deadline) {
        throw new AssertionError("transition still pending after 120 s: " + result);
      }
      result = send(Map.of("command", "await", "command.id", result.getProperty("command.id"), "wait", "1000"));
    }
    return result;
  }

  /** {@code key=value} pairs, for a compact request. */
  static Map<String, String> request(String... keysAndValues) {
    Map<String, String> request = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      request.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return request;
  }

  int pendings() {
    return pendings;
  }

  @Override
  public void close() throws IOException {
    try {
      vm.detach();
    } finally {
      Files.deleteIfExists(requestFile);
      Files.deleteIfExists(resultFile);
      Files.deleteIfExists(dir);
    }
  }
}
