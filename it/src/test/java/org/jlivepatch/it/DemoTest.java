package org.jlivepatch.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code jlivepatch demo}, the README's first command, run as a user runs it: the packaged CLI as a
 * process, the demo service on each JDK.
 */
class DemoTest {

  private static final Pattern SERVICE_PID = Pattern.compile("^  pid (\\d+), listening on");

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void demoFixesRevertsAndRefixesTheServiceWithZeroFailedRequests(Jdk jdk) throws Exception {
    jdk.assumePresent();
    Process demo = demo("--java", jdk.java().toString(), "--phase", "500ms", "--threads", "2");
    String output = readAll(demo);
    assertThat(demo.waitFor(120, TimeUnit.SECONDS)).as(output).isTrue();
    assertThat(demo.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("the service LEAKS the environment variable DEMO_TOKEN (v1)")
        .contains("no leak: the lookup is not expanded (patched)")
        .contains("the service LEAKS the environment variable DEMO_TOKEN (reverted)")
        .contains("no leak: the lookup is not expanded (re-applied)")
        .containsPattern("requests answered, 0 failed")
        .contains("done: the bug was fixed, reverted and fixed again");
    long servicePid = servicePid(output).orElseThrow(() -> new AssertionError("no service pid in:\n" + output));
    assertThat(ProcessHandle.of(servicePid).filter(ProcessHandle::isAlive)).as("demo service still running").isEmpty();
  }

  @Test
  void interruptingTheDemoStopsItsService() throws Exception {
    // A non-interactive shell starts background jobs with SIGINT ignored, the children inherit
    // that, and a JVM leaves an ignored SIGINT ignored: Ctrl-C cannot reach the demo then.
    assumeFalse(sigintIgnored(), "SIGINT is ignored in this process (started in the background), so in the demo too");
    Process demo = demo("--phase", "60s");
    CompletableFuture<Long> pid = new CompletableFuture<>();
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          synchronized (output) {
            output.append(line).append('\n');
          }
          servicePid(line).ifPresent(pid::complete);
        }
      } catch (IOException e) {
        pid.completeExceptionally(e);
      }
    });
    reader.start();
    long servicePid = pid.get(60, TimeUnit.SECONDS);
    assertThat(ProcessHandle.of(servicePid).filter(ProcessHandle::isAlive)).isPresent();

    // What Ctrl-C sends.
    new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    assertThat(demo.waitFor(30, TimeUnit.SECONDS)).as("the demo exits on SIGINT").isTrue();
    reader.join(10_000);
    Optional<ProcessHandle> service = ProcessHandle.of(servicePid);
    if (service.isPresent()) {
      service.get().onExit().get(10, TimeUnit.SECONDS);
    }
    synchronized (output) {
      assertThat(ProcessHandle.of(servicePid).filter(ProcessHandle::isAlive)).as(output.toString()).isEmpty();
    }
  }

  /** Whether this process ignores SIGINT (signal 2: bit 1 of the mask in /proc/self/status). */
  private static boolean sigintIgnored() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return false;
    }
    return Files.readAllLines(status).stream().filter(line -> line.startsWith("SigIgn:"))
        .anyMatch(line -> (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2) != 0);
  }

  private static Process demo(String... options) throws IOException {
    Path cliJar = Path.of(System.getProperty("jlivepatch.cli.jar", "../cli/target/jlivepatch.jar"));
    assertThat(cliJar).as("the packaged CLI (built by 'mvn package')").isRegularFile();
    Path cache = Files.createTempDirectory("jlivepatch-demo-cache");
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", cliJar.toString(), "demo"));
    command.addAll(List.of(options));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("JLIVEPATCH_AGENT_JAR");
    builder.environment().put("XDG_CACHE_HOME", cache.toString());
    return builder.start();
  }

  private static String readAll(Process process) throws IOException {
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  private static Optional<Long> servicePid(String text) {
    for (String line : text.split("\n")) {
      Matcher matcher = SERVICE_PID.matcher(line);
      if (matcher.find()) {
        return Optional.of(Long.parseLong(matcher.group(1)));
      }
    }
    return Optional.empty();
  }
}
