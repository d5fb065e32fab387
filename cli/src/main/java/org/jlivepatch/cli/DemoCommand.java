package org.jlivepatch.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jlivepatch.cli.demo.DemoService;
import org.jlivepatch.cli.demo.LoadDriver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jlivepatch demo}: the whole job on a bundled service — start it, show its bug, build and
 * review the fix, apply it under load, revert it, apply it again — with the real commands.
 */
@Command(
    name = "demo",
    description = {
      "Run the whole job on a bundled demo service.",
      "Starts the service in a child JVM, shows its bug (it expands ${env:...} lookups in what clients send, like "
          + "Log4Shell), drives load at it, builds and reviews the fix from the bundled v1/v2 builds, applies it "
          + "live, reverts it and applies it again - with zero failed requests - and stops the child."
    })
final class DemoCommand implements Callable<Integer> {

  private static final String SECRET_VARIABLE = "DEMO_TOKEN";
  private static final String PATCH_ID = "demo-lookup-fix";

  @Spec CommandSpec spec;

  @Option(names = "--java", paramLabel = "PATH",
      description = "The java launcher to run the demo service on (default: the one running this command).")
  Path java;

  @Option(names = "--phase", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class,
      description = "How long to measure the request rate before and after each step (default: ${DEFAULT-VALUE}).")
  Duration phase;

  @Option(names = "--threads", defaultValue = "4", description = "Client threads driving load (default: ${DEFAULT-VALUE}).")
  int threads;

  private PrintWriter out;

  @Override
  public Integer call() throws IOException, InterruptedException {
    out = spec.commandLine().getOut();
    if (threads < 1 || threads > 64) {
      throw new CliException(ExitCode.USAGE, "--threads must be between 1 and 64");
    }
    Path launcher = java != null ? java : Path.of(System.getProperty("java.home"), "bin", "java");
    Path work = Files.createTempDirectory("jlivepatch-demo-");
    List<String> problems = new ArrayList<>();
    try {
      Path v1 = extract("demo.jar", work);
      Path v2 = extract("demo-fixed.jar", work);
      Path payload = work.resolve(PATCH_ID + ".jlp");
      String secret = "s3cr3t-" + UUID.randomUUID().toString().substring(0, 8);
      String probe = "${env:" + SECRET_VARIABLE + "}";

      step("Start the demo service (v1) in a child JVM");
      try (DemoService service = DemoService.start(launcher, v1, List.of(SECRET_VARIABLE + "=" + secret),
          line -> out.println("    [service] " + line))) {
        Thread cleanup = new Thread(service::kill, "jlivepatch-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
          say("pid %d, listening on 127.0.0.1:%d, on %s", service.pid(), service.port(), launcher);
          String pid = Long.toString(service.pid());

          step("The bug: a client sends the name " + probe);
          expectLeak(service, probe, secret, true, "v1", problems);

          step("Drive load: " + threads + " client threads, GET /greet?name=load");
          try (LoadDriver load = new LoadDriver(service.port(), threads, Duration.ofMinutes(10))) {
            say("running");

            step("Build the patch from the two builds (v1 runs, v2 has the fix)");
            run("build", "--old", v1.toString(), "--new", v2.toString(), "--id", PATCH_ID,
                "--description", "Expand lookups in the operator's template only, never in client input",
                "-o", payload.toString());

            step("Review it");
            run("review", "--color", "auto", payload.toString());

            Thread.sleep(phase.toMillis());
            long beforeFrom = load.now() - phase.toNanos();
            step("Apply it to pid " + pid + ", under load");
            long applyStart = load.now();
            run("apply", pid, payload.toString(), "--consistency", "immediate");
            long applyEnd = load.now();
            expectLeak(service, probe, secret, false, "patched", problems);
            Thread.sleep(phase.toMillis() + 1000);
            report(load, beforeFrom, applyStart, applyEnd);

            step("The patch stack and audit log");
            run("list", pid);

            step("Revert it");
            run("revert", pid, PATCH_ID, "--consistency", "immediate");
            expectLeak(service, probe, secret, true, "reverted", problems);

            step("Apply it again");
            run("apply", pid, payload.toString(), "--consistency", "immediate");
            expectLeak(service, probe, secret, false, "re-applied", problems);
            Thread.sleep(500);

            step("Result");
            say("%,d requests answered, %,d failed", load.succeeded(), load.failed());
            if (load.failed() > 0) {
              problems.add(load.failed() + " request(s) failed");
            }
          }
        } finally {
          Runtime.getRuntime().removeShutdownHook(cleanup);
        }
      }
      say("demo service stopped");
    } finally {
      deleteTree(work);
    }
    if (!problems.isEmpty()) {
      throw new CliException(ExitCode.FAILURE, "the demo did not go as expected: " + String.join("; ", problems));
    }
    say("done: the bug was fixed, reverted and fixed again in a running JVM, without a restart.");
    return ExitCode.OK;
  }

  private void report(LoadDriver load, long beforeFrom, long applyStart, long applyEnd) {
    long second = Duration.ofSeconds(1).toNanos();
    double before = load.rate(beforeFrom, applyStart);
    double during = load.rate(applyStart, Math.max(applyEnd, applyStart + second));
    long afterFrom = Math.max(applyEnd, applyStart + second);
    double after = load.rate(afterFrom, afterFrom + phase.toNanos());
    say("requests/s  before %,.0f   during the apply (%d ms) %,.0f   after %,.0f   failed so far %d",
        before, (applyEnd - applyStart) / 1_000_000, during, after, load.failed());
  }

  private void expectLeak(DemoService service, String probe, String secret, boolean leaks, String state,
      List<String> problems) throws IOException {
    String answer = service.greet(probe);
    boolean leaked = answer.contains(secret);
    say("GET /greet?name=%s  ->  %s", probe, answer);
    if (leaked) {
      say("the service LEAKS the environment variable %s (%s)", SECRET_VARIABLE, state);
    } else {
      say("no leak: the lookup is not expanded (%s)", state);
    }
    if (leaked != leaks) {
      problems.add(state + " service " + (leaked ? "leaked" : "did not leak"));
    }
  }

  private void run(String... args) {
    out.println("  $ jlivepatch " + String.join(" ", args));
    out.flush();
    int exitCode = JLivePatch.run(indented(out), indented(spec.commandLine().getErr()), args);
    if (exitCode != ExitCode.OK) {
      throw new CliException(exitCode, "'jlivepatch " + args[0] + "' failed in the demo (exit " + exitCode + ")");
    }
  }

  private static PrintWriter indented(PrintWriter target) {
    return new PrintWriter(new java.io.Writer() {
      private boolean lineStart = true;

      @Override
      public void write(char[] chars, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
          if (lineStart) {
            target.write("    ");
          }
          target.write(chars[i]);
          lineStart = chars[i] == '\n';
        }
      }

      @Override
      public void flush() {
        target.flush();
      }

      @Override
      public void close() {
        target.flush();
      }
    }, true);
  }

  private void step(String title) {
    out.println();
    out.println("== " + title);
    out.flush();
  }

  private void say(String format, Object... args) {
    out.println("  " + String.format(Locale.ROOT, format, args));
    out.flush();
  }

  private static Path extract(String name, Path directory) throws IOException {
    try (InputStream in = DemoCommand.class.getResourceAsStream("demo/" + name)) {
      if (in == null) {
        throw new CliException(ExitCode.FAILURE, "this jlivepatch build carries no demo service (" + name
            + " missing); build it with 'mvn package'");
      }
      Path file = directory.resolve(name);
      Files.copy(in, file);
      return file;
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
