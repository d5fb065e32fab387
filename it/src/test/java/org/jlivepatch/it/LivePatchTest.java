package org.jlivepatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordingFile;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.payload.Signing;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Applies, reverts and replaces patches in real forked JVMs on JDK 17 and 25 through the real
 * CLI, and observes the target's behaviour from outside.
 */
class LivePatchTest {

  static final Fixtures.Version BASE = Fixtures.Version.BASE;
  static final Fixtures.Version BANG = new Fixtures.Version("!", 1, 1);
  static final Fixtures.Version BANG2 = new Fixtures.Version("!!", 1, 1);
  static final Fixtures.Version CUMULATIVE = new Fixtures.Version("?", 1, 1);
  static final Fixtures.Version PAIR2 = new Fixtures.Version("", 2, 1);
  static final Fixtures.Version LAZY2 = new Fixtures.Version("", 1, 2);

  static Map<String, byte[]> base;
  static Path work;
  static Path appClasses;

  @BeforeAll
  static void compileApp() throws Exception {
    work = Path.of(System.getProperty("jlivepatch.it.work", "target/it-work"));
    Files.createDirectories(work);
    base = Fixtures.app(BASE);
    appClasses = Fixtures.write(base, Files.createTempDirectory(work, "app-"));
  }

  static Path dir(TestInfo test, Jdk jdk) throws Exception {
    String name = test.getTestMethod().orElseThrow().getName() + "-" + jdk.feature();
    return Files.createTempDirectory(work, name + "-");
  }

  static Patch patch(String id, String depends, Fixtures.Version from, Fixtures.Version to) {
    return Fixtures.patch(id, depends, Fixtures.app(from), Fixtures.app(to), List.of());
  }

  static TargetJvm start(Jdk jdk, Path dir, String... options) throws Exception {
    jdk.assumePresent();
    return TargetJvm.start(jdk, appClasses, dir.resolve("target"), options);
  }

  /**
   * Runs the CLI; apply, revert and replace switch at once here ({@code --consistency immediate}):
   * these tests count one redefinition per command, and the per-thread model (two) has tests of its own.
   */
  static Cli.Run cli(String... args) {
    if (args.length > 0 && List.of("apply", "revert", "replace").contains(args[0])
        && !List.of(args).contains("--consistency")) {
      List<String> immediate = new java.util.ArrayList<>(List.of(args));
      immediate.add("--consistency");
      immediate.add("immediate");
      return Cli.run(immediate.toArray(String[]::new));
    }
    return Cli.run(args);
  }

  static JsonArray stack(TargetJvm target) {
    Cli.Run list = cli("list", target.pidText(), "--json");
    assertThat(list.exitCode()).as(list.toString()).isZero();
    return list.json().getAsJsonArray("stack");
  }

  static List<String> stackIds(TargetJvm target) {
    return stack(target).asList().stream().map(e -> e.getAsJsonObject().get("id").getAsString()).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void applyChangesBehaviourAndRevertRestoresIt(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    Path p1 = Fixtures.payload(patch("p1", null, BASE, BANG), dir.resolve("p1.jlp"), null);
    Path recording = dir.resolve("audit.jfr");
    try (TargetJvm target = start(jdk, dir, "-XX:StartFlightRecording:filename=" + recording)) {
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");

      Cli.Run apply = cli("apply", target.pidText(), p1.toString(), "--json");
      assertThat(apply.exitCode()).as(apply.toString()).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!");
      JsonObject json = apply.json();
      System.out.println("[jlivepatch-it] " + jdk + ": " + json.get("message").getAsString());
      assertThat(json.getAsJsonArray("classes").toString()).contains("app.Greeter", "applied");
      // The agent creates no MBean server; it registers its MBean at the first command after the application did.
      assertThat(target.ask("mbean-servers")).isEqualTo("0");
      assertThat(target.ask("jmx")).isEqualTo("started");
      assertThat(stackIds(target)).containsExactly("p1");
      assertThat(target.ask("mbean")).isEqualTo("[p1]");
      assertThat(target.ask("property jlivepatch.stack")).isEqualTo("p1");
      // The capture of the running bytes is no redefinition: exactly one, by the apply itself.
      assertThat(target.redefinitions("app.Greeter")).hasSize(1);

      Cli.Run revert = cli("revert", target.pidText(), "p1", "--json");
      assertThat(revert.exitCode()).as(revert.toString()).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      assertThat(stackIds(target)).isEmpty();
      assertThat(target.redefinitions("app.Greeter")).hasSize(2);

      Cli.Run list = cli("list", target.pidText(), "--json");
      String audit = list.json().getAsJsonArray("audit").toString();
      assertThat(audit).contains("apply", "revert", "p1", System.getProperty("user.name"));
      assertThat(target.stderr()).contains("jlivepatch: apply p1 done", "jlivepatch: revert p1 done");
      target.close();
    }
    // The audit's JFR events, in the recording the target dumped as it exited.
    List<String> events = RecordingFile.readAllEvents(recording).stream()
        .filter(e -> e.getEventType().getName().equals("org.jlivepatch.PatchCommand"))
        .map(e -> e.getString("action") + " " + e.getString("patchId") + " " + e.getString("result")
            + " " + e.getString("user"))
        .toList();
    assertThat(events).containsExactly("apply p1 done " + System.getProperty("user.name"),
        "revert p1 done " + System.getProperty("user.name"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void stackedPatchesOnOneMethodRevertOnlyFromTheTop(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    Path p1 = Fixtures.payload(patch("p1", null, BASE, BANG), dir.resolve("p1.jlp"), null);
    Path p2 = Fixtures.payload(patch("p2", "p1", BANG, BANG2), dir.resolve("p2.jlp"), null);
    try (TargetJvm target = start(jdk, dir)) {
      Cli.Run early = cli("apply", target.pidText(), p2.toString());
      assertThat(early.exitCode()).as(early.toString()).isEqualTo(3);
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");

      assertThat(cli("apply", target.pidText(), p1.toString()).exitCode()).isZero();
      Cli.Run second = cli("apply", target.pidText(), p2.toString());
      assertThat(second.exitCode()).as(second.toString()).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!!");
      assertThat(stackIds(target)).containsExactly("p1", "p2");

      Cli.Run wrongOrder = cli("revert", target.pidText(), "p1");
      assertThat(wrongOrder.exitCode()).as(wrongOrder.toString()).isEqualTo(3);
      assertThat(wrongOrder.all()).contains("p2");
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!!");

      assertThat(cli("revert", target.pidText(), "p2").exitCode()).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!");
      assertThat(cli("revert", target.pidText(), "p1").exitCode()).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void replaceSwapsTheWholeStackForOneCumulativePatch(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    Path p1 = Fixtures.payload(patch("p1", null, BASE, BANG), dir.resolve("p1.jlp"), null);
    Path p2 = Fixtures.payload(patch("p2", "p1", BANG, new Fixtures.Version("!", 2, 1)),
        dir.resolve("p2.jlp"), null);
    Path cumulative = Fixtures.payload(patch("c1", null, BASE, CUMULATIVE), dir.resolve("c1.jlp"), null);
    try (TargetJvm target = start(jdk, dir)) {
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      assertThat(target.ask("pair")).isEqualTo("1 1");
      assertThat(cli("apply", target.pidText(), p1.toString()).exitCode()).isZero();
      assertThat(cli("apply", target.pidText(), p2.toString()).exitCode()).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!");
      assertThat(target.ask("pair")).isEqualTo("2 2");

      Cli.Run replace = cli("replace", target.pidText(), cumulative.toString());
      assertThat(replace.exitCode()).as(replace.toString()).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x?");
      assertThat(target.ask("pair")).isEqualTo("1 1");
      assertThat(stackIds(target)).containsExactly("c1");
      // One redefinition per class for the whole swap.
      assertThat(target.redefinitions("app.Greeter")).hasSize(2);
      assertThat(target.redefinitions("app.Left")).hasSize(2);
      assertThat(target.redefinitions("app.Right")).hasSize(2);

      assertThat(cli("revert", target.pidText(), "c1").exitCode()).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void patchForAnotherVersionIsRefusedNamingTheMethod(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    // Built against a release whose greet() differs from the running one.
    Patch other = patch("other", null, new Fixtures.Version(" (2.0)", 1, 1), new Fixtures.Version(" (2.0)!", 1, 1));
    Path file = Fixtures.payload(other, dir.resolve("other.jlp"), null);
    try (TargetJvm target = start(jdk, dir)) {
      // Not loaded yet: refused all the same, on the class file the target would load it from.
      Cli.Run unloaded = cli("apply", target.pidText(), file.toString());
      assertThat(unloaded.exitCode()).as(unloaded.toString()).isEqualTo(3);
      assertThat(unloaded.all()).contains("app.Greeter.greet(Ljava/lang/String;)Ljava/lang/String;",
          "the class is not loaded yet; its class file was checked");
      assertThat(stackIds(target)).isEmpty();

      // Loaded: refused on the running code.
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      Cli.Run apply = cli("apply", target.pidText(), file.toString());
      assertThat(apply.exitCode()).as(apply.toString()).isEqualTo(3);
      assertThat(apply.all()).contains("app.Greeter.greet(Ljava/lang/String;)Ljava/lang/String;");
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      assertThat(stackIds(target)).isEmpty();
      assertThat(target.redefinitions("app.Greeter")).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void hooksVetoFailAndSeeThePatchedClasses(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    Map<String, byte[]> veto = Fixtures.hooks(Map.of("hooks.Veto", """
        package hooks;
        import org.jlivepatch.api.*;
        public class Veto implements PatchHook {
          @Override public void preApply(PatchContext context) throws PatchVetoException {
            Class<?> greeter = context.patchedClass("app.Greeter");
            throw new PatchVetoException("sessions still open in " + greeter.getSimpleName()
                + " of loader " + greeter.getClassLoader().getName());
          }
        }
        """));
    Map<String, byte[]> failing = Fixtures.hooks(Map.of("hooks.Failing", """
        package hooks;
        import org.jlivepatch.api.*;
        public class Failing implements PatchHook {
          @Override public void postApply(PatchContext context) {
            throw new IllegalStateException("data fix-up failed");
          }
        }
        """));
    Map<String, byte[]> observing = Fixtures.hooks(Map.of("hooks.Observing", """
        package hooks;
        import org.jlivepatch.api.*;
        public class Observing implements PatchHook {
          @Override public void postApply(PatchContext context) {
            try {
              Object greeting = context.patchedClass("app.Greeter").getMethod("greet", String.class).invoke(null, "hook");
              context.log("postApply saw " + greeting);
            } catch (ReflectiveOperationException e) {
              throw new IllegalStateException(e);
            }
          }
        }
        """));
    Map<String, byte[]> before = Fixtures.app(BASE);
    Map<String, byte[]> after = Fixtures.app(BANG);
    Path vetoed = Fixtures.payload(Fixtures.patch("vetoed", null, before, after, Fixtures.hookClasses(veto, "hooks.Veto")),
        dir.resolve("vetoed.jlp"), null);
    Path failed = Fixtures.payload(Fixtures.patch("failed", null, before, after,
        Fixtures.hookClasses(failing, "hooks.Failing")), dir.resolve("failed.jlp"), null);
    Path observed = Fixtures.payload(Fixtures.patch("observed", null, before, after,
        Fixtures.hookClasses(observing, "hooks.Observing")), dir.resolve("observed.jlp"), null);
    try (TargetJvm target = start(jdk, dir)) {
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      Cli.Run veto1 = cli("apply", target.pidText(), vetoed.toString());
      assertThat(veto1.exitCode()).as(veto1.toString()).isEqualTo(3);
      assertThat(veto1.all()).contains("sessions still open in Greeter of loader app");
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");

      Cli.Run fail = cli("apply", target.pidText(), failed.toString());
      assertThat(fail.exitCode()).as(fail.toString()).isEqualTo(1);
      assertThat(fail.all()).contains("data fix-up failed", "rolled back");
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      assertThat(stackIds(target)).isEmpty();

      Cli.Run ok = cli("apply", target.pidText(), observed.toString());
      assertThat(ok.exitCode()).as(ok.toString()).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!");
      assertThat(target.stderr()).contains("postApply saw Hello, hook!");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void withTrustedKeysOnlyPayloadsSignedByThemApply(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    KeyPair trusted = Signing.generateKeyPair();
    KeyPair stranger = Signing.generateKeyPair();
    Path trustFile = Files.writeString(dir.resolve("trusted.pem"), Signing.toPem(trusted.getPublic()));
    Patch patch = patch("p1", null, BASE, BANG);
    Path unsigned = Fixtures.payload(patch, dir.resolve("unsigned/p1.jlp"), null);
    Path untrusted = Fixtures.payload(patch, dir.resolve("untrusted/p1.jlp"), stranger.getPrivate());
    Path signed = Fixtures.payload(patch, dir.resolve("signed/p1.jlp"), trusted.getPrivate());
    try (TargetJvm target = start(jdk, dir, "-Djlivepatch.trust=" + trustFile)) {
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      Cli.Run first = cli("apply", target.pidText(), unsigned.toString());
      assertThat(first.exitCode()).as(first.toString()).isEqualTo(3);
      Cli.Run second = cli("apply", target.pidText(), untrusted.toString());
      assertThat(second.exitCode()).as(second.toString()).isEqualTo(3);
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");

      Cli.Run third = cli("apply", target.pidText(), signed.toString(), "--json");
      assertThat(third.exitCode()).as(third.toString()).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!");
      assertThat(stack(target).get(0).getAsJsonObject().get("signer").getAsString())
          .isEqualTo(Signing.keyId(trusted.getPublic()));
      Cli.Run list = cli("list", target.pidText(), "--json");
      assertThat(list.json().getAsJsonArray("audit").toString()).contains("refused");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void corruptPayloadIsRefusedByCliAndAgent(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    Path good = Fixtures.payload(patch("p1", null, BASE, BANG), dir.resolve("p1.jlp"), null);
    byte[] bytes = Files.readAllBytes(good);
    for (int i = bytes.length / 3; i < bytes.length / 3 + 40 && i < bytes.length; i++) {
      bytes[i] ^= 0x5a;
    }
    Path corrupt = Files.write(dir.resolve("corrupt.jlp"), bytes);
    try (TargetJvm target = start(jdk, dir)) {
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      Cli.Run apply = cli("apply", target.pidText(), corrupt.toString());
      assertThat(apply.exitCode()).as(apply.toString()).isIn(1, 3);
      // The agent checks for itself too, whoever sends the payload.
      Properties result = ProtocolClient.send(target.pid(), Map.of("command", "apply", "payload", corrupt.toString()));
      assertThat(result.getProperty("exitCode")).as(result.toString()).isEqualTo("3");
      assertThat(result.getProperty("step")).isEqualTo("payload");
      assertThat(result.getProperty("message")).contains(corrupt.toString());
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      assertThat(target.redefinitions("app.Greeter")).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void unknownPidAndTargetExitingMidCommandFailCleanly(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    Path p1 = Fixtures.payload(patch("p1", null, BASE, BANG), dir.resolve("p1.jlp"), null);
    Cli.Run unknown = cli("apply", "2147483646", p1.toString());
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(1);
    assertThat(unknown.all()).contains("2147483646");

    Map<String, byte[]> halting = Fixtures.hooks(Map.of("hooks.Halt", """
        package hooks;
        import org.jlivepatch.api.*;
        public class Halt implements PatchHook {
          @Override public void preApply(PatchContext context) { Runtime.getRuntime().halt(7); }
        }
        """));
    Path halt = Fixtures.payload(Fixtures.patch("halt", null, Fixtures.app(BASE), Fixtures.app(BANG),
        Fixtures.hookClasses(halting, "hooks.Halt")), dir.resolve("halt.jlp"), null);
    try (TargetJvm target = start(jdk, dir)) {
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      long started = System.nanoTime();
      Cli.Run apply = cli("apply", target.pidText(), halt.toString());
      assertThat(apply.exitCode()).as(apply.toString()).isEqualTo(1);
      assertThat(apply.all()).contains(target.pidText());
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(30);
      assertThat(target.waitForExit(10)).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void startupModeAppliesThePatchDirectoryAndSkipsBadPayloads(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    Path patches = Files.createDirectories(dir.resolve("patches"));
    Fixtures.payload(patch("p1", null, BASE, BANG), patches.resolve("10-p1.jlp"), null);
    Fixtures.payload(patch("p2", "p1", BANG, new Fixtures.Version("!", 1, 2)), patches.resolve("20-p2.jlp"), null);
    Files.write(patches.resolve("15-broken.jlp"), new byte[] {'P', 'K', 3, 4, 0, 0});
    Fixtures.payload(patch("orphan", "nobody", BASE, BANG), patches.resolve("30-orphan.jlp"), null);
    try (TargetJvm target = start(jdk, dir, "-javaagent:" + ProtocolClient.agentJar() + "=patches=" + patches)) {
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!");
      JsonArray before = stack(target);
      assertThat(stackIds(target)).containsExactly("p1", "p2");
      assertThat(before.get(1).toString()).contains("app.Lazy");
      assertThat(target.ask("lazy")).isEqualTo("lazy-2");
      Cli.Run list = cli("list", target.pidText(), "--json");
      String audit = list.json().getAsJsonArray("audit").toString();
      assertThat(audit).contains("15-broken.jlp", "orphan");
      assertThat(target.stderr()).contains("15-broken.jlp");
      assertThat(cli("revert", target.pidText(), "p2").exitCode()).isZero();
      assertThat(target.ask("lazy")).isEqualTo("lazy-1");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void classNotLoadedYetIsPendingAndPatchedWhenItLoads(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    Path lazy = Fixtures.payload(patch("lazy", null, BASE, LAZY2), dir.resolve("lazy.jlp"), null);
    try (TargetJvm target = start(jdk, dir)) {
      Cli.Run apply = cli("apply", target.pidText(), lazy.toString(), "--json");
      assertThat(apply.exitCode()).as(apply.toString()).isZero();
      assertThat(apply.json().getAsJsonArray("classes").toString()).contains("app.Lazy", "pending");
      assertThat(stack(target).get(0).getAsJsonObject().toString()).contains("pending", "app.Lazy");
      assertThat(target.ask("lazy")).isEqualTo("lazy-2");
      JsonObject entry = stack(target).get(0).getAsJsonObject();
      assertThat(entry.get("pending").toString()).doesNotContain("app.Lazy");
      assertThat(cli("revert", target.pidText(), "lazy").exitCode()).isZero();
      assertThat(target.ask("lazy")).isEqualTo("lazy-1");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void everyMatchingClassLoaderIsPatchedAndEachReported(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    Path webapp1 = Fixtures.write(Fixtures.lib("\"lib-1\""), dir.resolve("webapp1"));
    Path webapp2 = Fixtures.write(Fixtures.lib("\"lib-1\""), dir.resolve("webapp2"));
    Path webapp3 = Fixtures.write(Fixtures.lib("\"other-\" + 1"), dir.resolve("webapp3"));
    Patch libPatch = Fixtures.patch("lib", null, Fixtures.lib("\"lib-1\""), Fixtures.lib("\"lib-2\""), List.of());
    Path file = Fixtures.payload(libPatch, dir.resolve("lib.jlp"), null);
    Patch otherOnly = Fixtures.patch("none", null, Fixtures.lib("\"v9\""), Fixtures.lib("\"v10\""), List.of());
    Path none = Fixtures.payload(otherOnly, dir.resolve("none.jlp"), null);
    try (TargetJvm target = start(jdk, dir)) {
      assertThat(target.ask("webapps " + webapp1 + " " + webapp2 + " " + webapp3)).isEqualTo("lib-1 lib-1 other-1");
      Cli.Run refused = cli("apply", target.pidText(), none.toString());
      assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(3);

      Cli.Run apply = cli("apply", target.pidText(), file.toString(), "--json");
      assertThat(apply.exitCode()).as(apply.toString()).isZero();
      assertThat(target.ask("webapp-values")).isEqualTo("lib-2 lib-2 other-1");
      String classes = apply.json().getAsJsonArray("classes").toString();
      assertThat(classes).contains("webapp1", "webapp2", "webapp3", "mismatch");
      assertThat(cli("revert", target.pidText(), "lib").exitCode()).isZero();
      assertThat(target.ask("webapp-values")).isEqualTo("lib-1 lib-1 other-1");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void applyUnderLoadSwitchesAllClassesOfAPatchAtOnce(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    Path pair = Fixtures.payload(patch("pair", null, BASE, PAIR2), dir.resolve("pair.jlp"), null);
    try (TargetJvm target = start(jdk, dir)) {
      assertThat(target.ask("pair")).isEqualTo("1 1");
      assertThat(target.ask("load-start 4")).isEqualTo("started");
      for (int round = 0; round < 3; round++) {
        Thread.sleep(200);
        Cli.Run apply = cli("apply", target.pidText(), pair.toString());
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(target.ask("pair")).isEqualTo("2 2");
        Thread.sleep(200);
        Cli.Run revert = cli("revert", target.pidText(), "pair");
        assertThat(revert.exitCode()).as(revert.toString()).isZero();
        assertThat(target.ask("pair")).isEqualTo("1 1");
      }
      String load = target.ask("load-stop");
      assertThat(load).matches("calls=[1-9]\\d* violations=0 exceptions=0");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.jlivepatch.it.Jdk#all")
  void aCommandThatCannotWaitIsToldToRetry(Jdk jdk, TestInfo test) throws Exception {
    Path dir = dir(test, jdk);
    Map<String, byte[]> slow = Fixtures.hooks(Map.of("hooks.Slow", """
        package hooks;
        import org.jlivepatch.api.*;
        public class Slow implements PatchHook {
          @Override public void preApply(PatchContext context) {
            try { Thread.sleep(3000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
          }
        }
        """));
    Path slowPatch = Fixtures.payload(Fixtures.patch("slow", null, Fixtures.app(BASE), Fixtures.app(BANG),
        Fixtures.hookClasses(slow, "hooks.Slow")), dir.resolve("slow.jlp"), null);
    try (TargetJvm target = start(jdk, dir)) {
      assertThat(target.ask("greet x")).isEqualTo("Hello, x");
      assertThat(stackIds(target)).isEmpty();
      CompletableFuture<Cli.Run> first = CompletableFuture.supplyAsync(
          () -> cli("apply", target.pidText(), slowPatch.toString()));
      Thread.sleep(1000);
      // The JVM runs attach requests one at a time, so this one queues behind the slow apply; the
      // agent measures the wait from requestedAt and answers "retry later" without acting.
      Properties second = ProtocolClient.send(target.pid(), Map.of("command", "revert", "id", "slow",
          "timeout", "200", "requestedAt", Long.toString(System.currentTimeMillis())));
      assertThat(second.getProperty("exitCode")).as(second.toString()).isEqualTo("4");
      assertThat(second.getProperty("step")).isEqualTo("busy");
      assertThat(first.get(60, TimeUnit.SECONDS).exitCode()).isZero();
      assertThat(target.ask("greet x")).isEqualTo("Hello, x!");
      assertThat(stackIds(target)).containsExactly("slow");
    }
  }
}
