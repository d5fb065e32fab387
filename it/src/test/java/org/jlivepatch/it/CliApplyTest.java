package org.jlivepatch.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jlivepatch.core.Version;
import org.jlivepatch.core.model.Patch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CLI's own view of applying patches, on real forked JVMs (JDK 17 and 25): its text output,
 * {@code jvms} and {@code list} before and after, refusals that leave the target as it was, and
 * the packaged {@code jlivepatch.jar} with its embedded agent.
 */
class CliApplyTest {

  private static final Fixtures.Version BASE = Fixtures.Version.BASE;
  private static final Fixtures.Version BANG = new Fixtures.Version("!", 1, 1);
  /** Beyond Linux's largest pid_max (2^22): no process ever has it. */
  private static final String NO_SUCH_PID = "999999999";

  private static Path work;
  private static Path appClasses;

  @BeforeAll
  static void compileApp() throws IOException {
    work = Path.of(System.getProperty("jlivepatch.it.work", "target/it-work"));
    Files.createDirectories(work);
    appClasses = Fixtures.write(Fixtures.app(BASE), Files.createTempDirectory(work, "cli-app-"));
  }

  private static Path dir(TestInfo test, Jdk jdk) throws IOException {
    return Files.createTempDirectory(work, test.getTestMethod().orElseThrow().getName() + "-" + jdk.feature() + "-");
  }

  private static TargetJvm start(Jdk jdk, Path dir) throws Exception {
    jdk.assumePresent();
    return TargetJvm.start(jdk, appClasses, dir.resolve("target"));
  }

  private static Patch greetBang(String id) {
    return Fixtures.patch(id, null, Fixtures.app(BASE), Fixtures.app(BANG), List.of());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void applyListRevertInTextAndWhatJvmsShows(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    Path payload = Fixtures.payload(greetBang("greet-bang"), dir.resolve("greet-bang.jlp"), null);
    try (TargetJvm target = start(jdk, dir)) {
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      JsonObject before = jvm(target.pid());
      assertThat(before.get("jdk").getAsString()).startsWith(Integer.toString(jdk.feature()));
      assertThat(before.get("agentLoaded").getAsBoolean()).isFalse();

      Cli.Run apply = Cli.run("apply", target.pidText(), payload.toString());
      assertThat(apply.exitCode()).as(apply.toString()).isZero();
      assertThat(apply.err()).isEmpty();
      assertThat(apply.out().lines().findFirst().orElseThrow())
          .startsWith("JVM " + target.pid() + " (app.Main), JDK " + jdk.feature());
      assertThat(apply.out().lines()).anyMatch(l -> l.matches("\\s+applied\\s+app\\.Greeter\\s+loader .*app.*"));
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!");

      JsonObject after = jvm(target.pid());
      assertThat(after.get("agentLoaded").getAsBoolean()).isTrue();
      assertThat(after.get("agentVersion").getAsString()).isEqualTo(Version.current());
      assertThat(after.getAsJsonArray("stack").asList()).map(JsonElement::getAsString).containsExactly("greet-bang");

      Cli.Run list = Cli.run("list", target.pidText());
      assertThat(list.exitCode()).as(list.toString()).isZero();
      assertThat(list.out()).contains("patch stack, bottom to top:", "greet-bang  applied ",
          " by " + System.getProperty("user.name") + ", unsigned", "classes: app.Greeter", "audit log, oldest first:");

      Cli.Run revert = Cli.run("revert", target.pidText(), "greet-bang");
      assertThat(revert.exitCode()).as(revert.toString()).isZero();
      assertThat(revert.out()).startsWith("JVM " + target.pid() + " (app.Main)");
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");

      JsonObject listed = Cli.run("list", target.pidText(), "--json").json();
      assertThat(listed.getAsJsonArray("stack")).isEmpty();
      assertThat(listed.getAsJsonArray("audit").asList())
          .extracting(e -> e.getAsJsonObject().get("action").getAsString())
          .containsSubsequence("apply", "revert");
      assertThat(jvm(target.pid()).getAsJsonArray("stack")).isEmpty();
      if (jdk.feature() >= 21) {
        // TargetJvm starts JDK 21+ targets with -XX:+EnableDynamicAgentLoading: no warning.
        assertThat(target.stderr()).doesNotContain("loaded dynamically");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void refusalsChangeNothing(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    Patch base = greetBang("future");
    Patch needsNewerJava = new Patch(base.id(), base.description(), base.depends(), base.toolVersion(), base.oldBuild(),
        base.newBuild(), 99, base.classes(), base.hooks(), base.warnings(), base.ignored(), base.renamed());
    Path future = Fixtures.payload(needsNewerJava, dir.resolve("future.jlp"), null);
    Path otherBuild = Fixtures.payload(Fixtures.patch("other", null, Fixtures.app(new Fixtures.Version("?", 1, 1)),
        Fixtures.app(BANG), List.of()), dir.resolve("other.jlp"), null);
    Path good = Fixtures.payload(greetBang("good"), dir.resolve("good.jlp"), null);
    byte[] bytes = Files.readAllBytes(good);
    bytes[bytes.length / 2] ^= 0x20;
    Path tampered = Files.write(dir.resolve("tampered.jlp"), bytes);
    try (TargetJvm target = start(jdk, dir)) {
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");

      Cli.Run newer = Cli.run("apply", target.pidText(), future.toString());
      assertThat(newer.exitCode()).as(newer.toString()).isEqualTo(3);
      assertThat(oneLine(newer)).contains("refused at step 'capabilities'", "needs Java 99");

      Cli.Run wrongBuild = Cli.run("apply", target.pidText(), otherBuild.toString(), "--json");
      assertThat(wrongBuild.exitCode()).as(wrongBuild.toString()).isEqualTo(3);
      assertThat(wrongBuild.json().get("error").getAsString()).contains("refused at step 'expectation'", "app.Greeter");

      Cli.Run corrupt = Cli.run("apply", target.pidText(), tampered.toString());
      assertThat(corrupt.exitCode()).as(corrupt.toString()).isEqualTo(3);
      assertThat(oneLine(corrupt)).startsWith("jlivepatch: payload " + tampered + " refused: ");

      Cli.Run unknown = Cli.run("apply", NO_SUCH_PID, good.toString());
      assertThat(unknown.exitCode()).isEqualTo(1);
      assertThat(oneLine(unknown)).isEqualTo("jlivepatch: no JVM with pid " + NO_SUCH_PID + " (see 'jlivepatch jvms')");

      Cli.Run notOnStack = Cli.run("revert", target.pidText(), "good");
      assertThat(notOnStack.exitCode()).as(notOnStack.toString()).isEqualTo(3);

      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      assertThat(target.redefinitions("app.Greeter")).isEmpty();
      assertThat(Cli.run("list", target.pidText(), "--json").json().getAsJsonArray("stack")).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void patchOfClassesNotLoadedYetIsPendingWhenTheTargetCanLoadThem(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    Path payload = Fixtures.payload(greetBang("early"), dir.resolve("early.jlp"), null);
    try (TargetJvm target = start(jdk, dir)) {
      Cli.Run apply = Cli.run("apply", target.pidText(), payload.toString());
      assertThat(apply.exitCode()).as(apply.toString()).isZero();
      assertThat(apply.out().lines()).anyMatch(l -> l.matches("\\s+pending\\s+app\\.Greeter"));
      assertThat(apply.err()).isEmpty();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void patchForAnotherProgramIsRefused(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    // lib.Lib is in no class loader's reach in the target: the patch is for another program.
    Patch foreign = Fixtures.patch("foreign", null, Fixtures.lib("\"a\""), Fixtures.lib("\"b\""), List.of());
    Path payload = Fixtures.payload(foreign, dir.resolve("foreign.jlp"), null);
    try (TargetJvm target = start(jdk, dir)) {
      Cli.Run apply = Cli.run("apply", target.pidText(), payload.toString());
      assertThat(apply.exitCode()).as(apply.toString()).isEqualTo(3);
      assertThat(oneLine(apply)).contains("refused at step 'resolve'",
          "class lib.Lib of patch foreign is not loaded, and no class loader of this JVM can load it");
      assertThat(Cli.run("list", target.pidText(), "--json").json().getAsJsonArray("stack")).isEmpty();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void commandsWhileAnotherRunsAreToldToRetry(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    Map<String, byte[]> slow = Fixtures.hooks(Map.of("hooks.Slow", """
        package hooks;
        import org.jlivepatch.api.*;
        public class Slow implements PatchHook {
          @Override public void preApply(PatchContext context) {
            try { Thread.sleep(4000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
          }
        }
        """));
    Path slowPatch = Fixtures.payload(Fixtures.patch("slow", null, Fixtures.app(BASE), Fixtures.app(BANG),
        Fixtures.hookClasses(slow, "hooks.Slow")), dir.resolve("slow.jlp"), null);
    Path other = Fixtures.payload(greetBang("other"), dir.resolve("other.jlp"), null);
    try (TargetJvm target = start(jdk, dir)) {
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      assertThat(Cli.run("list", target.pidText()).exitCode()).isZero(); // no agent yet: nothing loaded
      CompletableFuture<Cli.Run> first = CompletableFuture.supplyAsync(() -> Cli.run("apply", target.pidText(), slowPatch.toString()));
      Thread.sleep(1000);

      Cli.Run list = Cli.run("list", target.pidText(), "--timeout", "500ms");
      assertThat(list.exitCode()).as(list.toString()).isEqualTo(4);
      assertThat(oneLine(list)).contains("JVM " + target.pid(), "try again later");

      Cli.Run apply = Cli.run("apply", target.pidText(), other.toString(), "--wait", "500ms", "--json");
      assertThat(apply.exitCode()).as(apply.toString()).isEqualTo(4);
      assertThat(apply.json().get("exitCode").getAsInt()).isEqualTo(4);

      Cli.Run done = first.get(60, TimeUnit.SECONDS);
      assertThat(done.exitCode()).as(done.toString()).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!");
      JsonObject listed = Cli.run("list", target.pidText(), "--json").json();
      assertThat(listed.getAsJsonArray("stack").asList())
          .extracting(e -> e.getAsJsonObject().get("id").getAsString()).containsExactly("slow");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void packagedCliAppliesWithItsEmbeddedAgent(Jdk jdk, TestInfo test) throws Exception {
    Path cliJar = packagedCliJar();
    assumeTrue(Files.isRegularFile(cliJar), "the packaged CLI " + cliJar + " is built by 'mvn package'");
    Path dir = dir(test, jdk);
    Path payload = Fixtures.payload(greetBang("packaged"), dir.resolve("packaged.jlp"), null);
    Path cache = Files.createDirectories(dir.resolve("cache"));
    try (TargetJvm target = start(jdk, dir)) {
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      Process apply = jlivepatch(cliJar, cache, "apply", target.pidText(), payload.toString(), "--json");
      assertThat(apply.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String out = new String(apply.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(apply.exitValue()).as(out).isZero();
      assertThat(JsonParser.parseString(out).getAsJsonObject().get("patchId").getAsString()).isEqualTo("packaged");
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!");
      try (Stream<Path> files = Files.walk(cache)) {
        assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.matches("agent-[0-9]+-[0-9a-f]{8}\\.jar"));
      }

      Process revert = jlivepatch(cliJar, cache, "revert", target.pidText(), "packaged");
      assertThat(revert.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(revert.exitValue()).as(new String(revert.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
    }
  }

  /** {@code cli/<build dir>/jlivepatch.jar}, found beside the agent jar the build names. */
  private static Path packagedCliJar() {
    Path agentJar = Path.of(System.getProperty("jlivepatch.agent.jar", "agent/target/jlivepatch-agent.jar")).toAbsolutePath();
    Path buildDir = agentJar.getParent();
    return buildDir.getParent().getParent().resolve("cli").resolve(buildDir.getFileName()).resolve("jlivepatch.jar");
  }

  /** Runs the packaged CLI as its own process, with its agent cache in {@code cache}. */
  private static Process jlivepatch(Path cliJar, Path cache, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", cliJar.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.remove("JLIVEPATCH_AGENT_JAR");
    env.put("XDG_CACHE_HOME", cache.toString());
    return builder.start();
  }

  private static JsonObject jvm(long pid) {
    Cli.Run jvms = Cli.run("jvms", "--json");
    assertThat(jvms.exitCode()).as(jvms.toString()).isZero();
    List<JsonObject> matches = jvms.json().getAsJsonArray("jvms").asList().stream()
        .map(JsonElement::getAsJsonObject)
        .filter(j -> j.get("pid").getAsLong() == pid)
        .toList();
    assertThat(matches).as(jvms.out()).hasSize(1);
    return matches.get(0);
  }

  /** The run's standard error, asserted to be one line. */
  private static String oneLine(Cli.Run run) {
    assertThat(run.err().lines().toList()).as(run.toString()).hasSize(1);
    return run.err().strip();
  }
}
