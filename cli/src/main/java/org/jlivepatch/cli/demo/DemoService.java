package org.jlivepatch.cli.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The demo service running in a child JVM: started from a jar, reachable on a loopback port, and
 * stopped (forcibly if need be) when closed.
 */
public final class DemoService implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final int port;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  private DemoService(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts {@code java -jar jar} and waits until the service says it listens.
   *
   * @param java the {@code java} launcher of the JDK the service runs on
   * @param environment extra environment variables of the child, as {@code NAME=VALUE}
   * @param output receives every line the child prints, as it prints it
   * @throws IOException if the child cannot start, dies, or does not listen within 30 s
   */
  public static DemoService start(Path java, Path jar, List<String> environment, Consumer<String> output)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(java.toString(),
        // JDK 21+ warns about agents loaded into a running JVM unless this flag allows them;
        // older JDKs do not know the flag.
        "-XX:+IgnoreUnrecognizedVMOptions", "-XX:+EnableDynamicAgentLoading",
        "-Xlog:disable", "-Xlog:all=warning:stderr",
        "-jar", jar.toString(), "0"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    for (String variable : environment) {
      int equals = variable.indexOf('=');
      builder.environment().put(variable.substring(0, equals), variable.substring(equals + 1));
    }
    Process process = builder.start();
    CompletableFuture<Integer> listening = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (!listening.isDone() && line.startsWith("listening on ")) {
            listening.complete(Integer.parseInt(line.substring("listening on ".length()).trim()));
          } else {
            output.accept(line);
          }
        }
      } catch (IOException | RuntimeException e) {
        listening.completeExceptionally(e);
      }
      listening.completeExceptionally(new IOException("the demo service exited with code " + exitCode(process)));
    }, "jlivepatch-demo-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return new DemoService(process, listening.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    } catch (ExecutionException e) {
      process.destroyForcibly();
      throw new IOException("the demo service did not start: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      process.destroyForcibly();
      throw new IOException("the demo service did not listen within " + START_TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting the demo service", e);
    }
  }

  /** The child's process id. */
  public long pid() {
    return process.pid();
  }

  /** The loopback port the service listens on. */
  public int port() {
    return port;
  }

  /** The service's answer to {@code GET /greet?name=NAME}, without the final newline. */
  public String greet(String name) throws IOException {
    URI uri = URI.create("http://127.0.0.1:" + port + "/greet?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      return response.body().strip();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Stops the child: politely, then forcibly after 5 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the child at once without waiting; safe from a shutdown hook. */
  public void kill() {
    process.destroyForcibly();
  }

  private static String exitCode(Process process) {
    try {
      return process.waitFor(1, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
