package org.jlivepatch.cli.attach;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jlivepatch.core.testing.InMemoryCompiler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AttachStarter} on real forked JVMs: the listener starts, nothing else happens to the target. */
class AttachStarterTest {

  private static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

  @TempDir Path dir;

  @Test
  void startsTheListenerOfAJdk17JvmWithoutAThreadDumpAndLeavesARunningOneAlone() throws Exception {
    startsTheListener(Path.of(System.getProperty("java.home")));
  }

  @Test
  void startsTheListenerOfAJdk25Jvm() throws Exception {
    assumeTrue(Files.isExecutable(JDK25.resolve("bin/java")), "JDK 25 not installed");
    startsTheListener(JDK25);
  }

  @Test
  void leavesAJvmThatDoesNotCatchQuitToTheJdk() throws Exception {
    // -Xrs: SIGQUIT would kill it, so it is never sent; the JDK's attach then times out on its own.
    Process child = start(Path.of(System.getProperty("java.home")), "-Xrs");
    try {
      assertThat(AttachStarter.start(child.pid())).isFalse();
      assertThat(child.isAlive()).isTrue();
      assertThat(Files.exists(Path.of("/tmp", ".attach_pid" + child.pid()))).isFalse();
    } finally {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void readsSignalMasksAndNamespaces() {
    assertThat(AttachStarter.catchesQuit(List.of("Name:\tjava", "SigCgt:\t0000000181005ccf"))).isTrue();
    assertThat(AttachStarter.catchesQuit(List.of("SigCgt:\t0000000181005cca"))).isFalse();
    assertThat(AttachStarter.catchesQuit(List.of("Name:\tsleep"))).isFalse();
    assertThat(AttachStarter.sameNamespace(List.of("NSpid:\t4711"))).isTrue();
    assertThat(AttachStarter.sameNamespace(List.of("NSpid:\t4711\t7"))).isFalse();
  }

  private void startsTheListener(Path javaHome) throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self")), "Linux only");
    Process child = start(javaHome);
    try {
      Path socket = Path.of("/tmp", ".java_pid" + child.pid());
      assertThat(socket).doesNotExist();
      long started = System.nanoTime();
      assertThat(AttachStarter.start(child.pid())).isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(1000);
      assertThat(socket).exists();
      assertThat(Path.of("/tmp", ".attach_pid" + child.pid())).doesNotExist();
      // A listener that runs: no second signal (it would print a thread dump), and the JDK connects.
      assertThat(AttachStarter.start(child.pid())).isFalse();
      VirtualMachine vm = VirtualMachine.attach(Long.toString(child.pid()));
      try {
        assertThat(vm.getSystemProperties().getProperty("java.home")).isNotBlank();
      } finally {
        vm.detach();
      }
      Thread.sleep(200); // a thread dump, had one been asked for, would be on its way to the output
      assertThat(child.isAlive()).isTrue();
      assertThat(Files.readString(dir.resolve("child.out"))).doesNotContain("Full thread dump");
    } finally {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** A JVM that prints {@code ready} and sleeps, its output in {@code child.out}, once its signal handlers are set. */
  private Process start(Path javaHome, String... options) throws IOException, InterruptedException {
    String source = "package jlpstarter; public class Sleeper { public static void main(String[] a) throws Exception {"
        + " System.out.println(\"ready\"); System.out.flush(); Thread.sleep(300_000); } }";
    byte[] bytes = InMemoryCompiler.compile(Map.of("jlpstarter.Sleeper", source), "--release", "17").get("jlpstarter.Sleeper");
    Path classes = Files.createDirectories(dir.resolve("classes/jlpstarter"));
    Files.write(classes.resolve("Sleeper.class"), bytes);
    List<String> command = new java.util.ArrayList<>(List.of(javaHome.resolve("bin/java").toString()));
    command.addAll(List.of(options));
    command.addAll(List.of("-cp", dir.resolve("classes").toString(), "jlpstarter.Sleeper"));
    Path out = dir.resolve("child.out");
    Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!(Files.exists(out) && Files.readString(out).contains("ready"))) {
      if (!child.isAlive() || System.nanoTime() > deadline) {
        child.destroyForcibly();
        throw new IOException("child JVM did not start: " + (Files.exists(out) ? Files.readString(out) : ""));
      }
      Thread.sleep(20);
    }
    return child;
  }
}
