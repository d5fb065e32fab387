package org.jlivepatch.bench.perf;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent protocol (docs/agent-protocol.md) over one attachment kept open for many commands:
 * the {@code loadAgent} the CLI makes per command, without a CLI JVM and a new attach handshake
 * each time, for figures that time the agent itself or send a thousand commands. A per-thread
 * command answered {@code pending=true} is followed by {@code await} until its final result.
 * Works on the bench's own JVM too (started with {@code -Djdk.attach.allowAttachSelf=true}).
 */
public final class AgentClient implements AutoCloseable {

  private static final Pattern SWITCHED = Pattern.compile("switched in ([0-9.]+) ms");

  /** A final result and how long the command took as the client saw it, from the first request to the final answer. */
  public record Result(Properties properties, double wallMs) {

    public int exitCode() {
      return Integer.parseInt(properties.getProperty("exitCode", "-1"));
    }

    public String get(String key) {
      return properties.getProperty(key);
    }

    /** The agent's {@code transition.ms}, or NaN for an immediate command. */
    public double transitionMs() {
      String ms = properties.getProperty("transition.ms");
      return ms == null ? Double.NaN : Double.parseDouble(ms);
    }

    /** The agent's own time in {@code redefineClasses} for the command (its message's timings), or NaN. */
    public double redefineMs() {
      Matcher m = SWITCHED.matcher(properties.getProperty("message", ""));
      return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** Throws unless the command succeeded. */
    public Result check(String what) {
      if (exitCode() != 0) {
        throw new IllegalStateException(what + " failed, exit " + exitCode() + " at step " + get("step") + ": "
            + get("message"));
      }
      return this;
    }
  }

  private final VirtualMachine vm;
  private final Path agentJar;
  private final Path dir;
  private final Path requestFile;
  private final Path resultFile;

  public AgentClient(long pid, Path agentJar) throws Exception {
    this.agentJar = agentJar;
    this.dir = Files.createTempDirectory("jlp-bench-", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    this.requestFile = dir.resolve("request.properties");
    this.resultFile = dir.resolve("result.properties");
    this.vm = VirtualMachine.attach(Long.toString(pid));
  }

  /** {@code apply} of {@code payload} with {@code consistency} ({@code per-thread} or {@code immediate}). */
  public Result apply(Path payload, String consistency) throws Exception {
    return command(Map.of("command", "apply", "payload", payload.toAbsolutePath().toString(), "consistency", consistency));
  }

  /** {@code revert} of patch {@code id}. */
  public Result revert(String id, String consistency) throws Exception {
    return command(Map.of("command", "revert", "id", id, "consistency", consistency));
  }

  /** {@code status}: the transition and the patch stack ({@code stack.N.id}). */
  public Properties status() throws Exception {
    return send(Map.of("command", "status"));
  }

  /** Sends a change and, while its transition runs, awaits it; returns the final result. */
  public Result command(Map<String, String> request) throws Exception {
    long start = System.nanoTime();
    Properties result = send(request);
    long deadline = start + 120_000_000_000L;
    while ("true".equals(result.getProperty("pending"))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("transition still pending after 120 s: " + result);
      }
      result = send(Map.of("command", "await", "command.id", result.getProperty("command.id", ""), "wait", "1000"));
    }
    return new Result(result, (System.nanoTime() - start) / 1e6);
  }

  /** Sends one request and returns the agent's answer as it comes (pending or not). */
  public Properties send(Map<String, String> request) throws Exception {
    Properties properties = new Properties();
    properties.setProperty("protocol", "1");
    properties.setProperty("user", System.getProperty("user.name"));
    properties.putAll(new LinkedHashMap<>(request));
    Files.deleteIfExists(resultFile);
    try (Writer writer = Files.newBufferedWriter(requestFile, StandardCharsets.UTF_8)) {
      properties.store(writer, null);
    }
    vm.loadAgent(agentJar.toString(), "request=" + requestFile);
    Properties result = new Properties();
    try (Reader reader = Files.newBufferedReader(resultFile, StandardCharsets.UTF_8)) {
      result.load(reader);
    }
    return result;
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
