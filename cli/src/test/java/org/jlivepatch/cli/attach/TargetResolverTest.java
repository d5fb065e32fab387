package org.jlivepatch.cli.attach;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.jlivepatch.cli.CliException;
import org.jlivepatch.cli.ExitCode;
import org.junit.jupiter.api.Test;

class TargetResolverTest {

  /** Beyond Linux's largest pid_max (2^22): no process ever has it. */
  private static final long NO_SUCH_PID = 999_999_999L;
  private static final long SELF = 4242;

  private static final LocalJvm SERVICE = new LocalJvm(101, "com.example.OrderService --port 8080", Optional.of("alice"), true);
  private static final LocalJvm WORKER_A = new LocalJvm(102, "/opt/app/worker.jar queue-a", Optional.of("alice"), true);
  private static final LocalJvm WORKER_B = new LocalJvm(103, "/opt/app/worker.jar queue-b", Optional.of("alice"), true);
  private static final LocalJvm LOCKED = new LocalJvm(104, "com.example.Locked", Optional.of("alice"), false);
  private static final LocalJvm FOREIGN = new LocalJvm(105, "com.example.BobsService", Optional.of("bob"), true);
  private static final LocalJvm SELF_JVM = new LocalJvm(SELF, "org.jlivepatch.cli.JLivePatch apply", Optional.of("alice"), true);

  private final TargetResolver resolver = new TargetResolver(
      () -> List.of(SERVICE, WORKER_A, WORKER_B, LOCKED, FOREIGN, SELF_JVM), SELF, "alice");

  @Test
  void pidNamesThatJvm() {
    assertThat(resolver.resolve("101")).isEqualTo(SERVICE);
  }

  @Test
  void pidFoundAloneListsNoJvm() {
    TargetResolver alone = new TargetResolver(() -> {
      throw new AssertionError("listed every JVM");
    }, pid -> pid == 101 ? Optional.of(SERVICE) : Optional.empty(), SELF, "alice");
    assertThat(alone.resolve("101")).isEqualTo(SERVICE);
  }

  @Test
  void pidNotFoundAloneIsLookedForInTheList() {
    TargetResolver alone = new TargetResolver(() -> List.of(SERVICE, FOREIGN), pid -> Optional.empty(), SELF, "alice");
    assertThat(alone.resolve("101")).isEqualTo(SERVICE);
    assertThatThrownBy(() -> alone.resolve("105")).hasMessageContaining("runs as user 'bob'");
  }

  @Test
  void findSeesNeitherThisProcessNorAMissingOne() {
    assertThat(LocalJvms.find(ProcessHandle.current().pid())).isEmpty();
    assertThat(LocalJvms.find(NO_SUCH_PID)).isEmpty();
  }

  @Test
  void uniquePartOfMainClassNamesThatJvm() {
    assertThat(resolver.resolve("OrderServ")).isEqualTo(SERVICE);
    assertThat(resolver.resolve("com.example.OrderService")).isEqualTo(SERVICE);
  }

  @Test
  void argumentsAreNotPartOfTheName() {
    assertThatThrownBy(() -> resolver.resolve("queue-a"))
        .isInstanceOf(CliException.class)
        .hasMessage("no JVM whose main class or jar contains 'queue-a' (see 'jlivepatch jvms')")
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCode.FAILURE));
  }

  @Test
  void unknownPidIsAFailureInOneLine() {
    assertThatThrownBy(() -> resolver.resolve(Long.toString(NO_SUCH_PID)))
        .isInstanceOf(CliException.class)
        .hasMessage("no JVM with pid " + NO_SUCH_PID + " (see 'jlivepatch jvms')")
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCode.FAILURE));
  }

  @Test
  void ambiguousNameIsAUsageErrorListingTheCandidates() {
    assertThatThrownBy(() -> resolver.resolve("worker"))
        .isInstanceOf(CliException.class)
        .hasMessage("'worker' matches 2 JVMs: 102 (/opt/app/worker.jar), 103 (/opt/app/worker.jar); give the pid")
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCode.USAGE));
  }

  @Test
  void noMatchIsAFailure() {
    assertThatThrownBy(() -> resolver.resolve("Inventory"))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("no JVM whose main class or jar contains 'Inventory'")
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCode.FAILURE));
  }

  @Test
  void ownPidIsRefusedAndOwnNameNeverMatches() {
    assertThatThrownBy(() -> resolver.resolve(Long.toString(SELF)))
        .isInstanceOf(CliException.class)
        .hasMessage("pid 4242 is this jlivepatch process; name the JVM to patch")
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCode.USAGE));
    assertThatThrownBy(() -> resolver.resolve("JLivePatch"))
        .isInstanceOf(CliException.class)
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCode.FAILURE));
  }

  @Test
  void jvmWithAttachDisabledIsAFailureNamingTheOption() {
    assertThatThrownBy(() -> resolver.resolve("Locked"))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("JVM 104 (com.example.Locked) does not accept attach")
        .hasMessageContaining("-XX:+DisableAttachMechanism")
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCode.FAILURE));
  }

  @Test
  void anotherUsersJvmIsAFailureNamingTheUser() {
    assertThatThrownBy(() -> resolver.resolve("105"))
        .isInstanceOf(CliException.class)
        .hasMessage("JVM 105 runs as user 'bob', not 'alice'; jlivepatch attaches only to JVMs of its own user: run it as 'bob'")
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCode.FAILURE));
  }

  @Test
  void emptyArgumentIsAUsageError() {
    assertThatThrownBy(() -> resolver.resolve(" "))
        .isInstanceOf(CliException.class)
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCode.USAGE));
  }

  @Test
  void displayNameFromLauncherArguments() {
    assertThat(LocalJvms.displayNameFromArguments(List.of("-Xmx1g", "-cp", "a.jar:b", "com.example.Main", "x")))
        .isEqualTo("com.example.Main x");
    assertThat(LocalJvms.displayNameFromArguments(List.of("-XX:+DisableAttachMechanism", "-jar", "/opt/app.jar", "--port", "1")))
        .isEqualTo("/opt/app.jar --port 1");
    assertThat(LocalJvms.displayNameFromArguments(List.of("-Dx=y"))).isEmpty();
  }
}
