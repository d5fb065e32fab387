package org.jlivepatch.cli.attach;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class AgentResultTest {

  private static Properties properties(String text) throws IOException {
    Properties properties = new Properties();
    properties.load(new StringReader(text));
    return properties;
  }

  @Test
  void readsEveryIndexedGroupInOrder() throws IOException {
    AgentResult result = AgentResult.parse(properties("""
        protocol=1
        exitCode=0
        message=applied p2
        agent.version=0.1.0
        jdk=17.0.15+6
        patch.id=p2
        patch.signer=key-1
        class.0.name=a.B
        class.0.loader=app
        class.0.state=applied
        class.1.name=a.C
        class.1.state=pending
        stack.0.id=p1
        stack.0.appliedAt=2026-01-01T00:00:00Z
        stack.0.user=ops
        stack.0.classes=a.B, a.D
        stack.1.id=p2
        stack.1.depends=p1
        stack.1.signer=key-1
        stack.1.pending=a.C
        audit.0.action=apply
        audit.0.id=p1
        audit.0.result=done
        audit.1.action=apply
        audit.1.result=refused
        """));
    assertThat(result.succeeded()).isTrue();
    assertThat(result.patchId()).contains("p2");
    assertThat(result.patchSigner()).contains("key-1");
    assertThat(result.step()).isEmpty();
    assertThat(result.classes()).extracting(AgentResult.ClassState::state).containsExactly("applied", "pending");
    assertThat(result.classes().get(1).loader()).isEmpty();
    assertThat(result.stack()).hasSize(2);
    assertThat(result.stack().get(0).classes()).containsExactly("a.B", "a.D");
    assertThat(result.stack().get(0).depends()).isEmpty();
    assertThat(result.stack().get(0).signer()).isEmpty();
    assertThat(result.stack().get(1).depends()).isEqualTo(Optional.of("p1"));
    assertThat(result.stack().get(1).pending()).containsExactly("a.C");
    assertThat(result.audit()).extracting(AgentResult.AuditEvent::result).containsExactly("done", "refused");
    assertThat(result.audit().get(1).id()).isEmpty();
  }

  @Test
  void anotherProtocolVersionIsNamed() {
    assertThatThrownBy(() -> AgentResult.parse(properties("protocol=2\nexitCode=0\n")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the agent answered in protocol version 2, this jlivepatch speaks version 1");
  }

  @Test
  void missingExitCodeIsNamedAndAnUnknownOneIsAFailure() throws IOException {
    assertThatThrownBy(() -> AgentResult.parse(properties("protocol=1\n")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no valid exitCode");
    assertThat(AgentResult.parse(properties("protocol=1\nexitCode=7\nstep=agent\n")).exitCode()).isEqualTo(1);
    // 2: the request asks for something this agent does not do
    assertThat(AgentResult.parse(properties("protocol=1\nexitCode=2\nstep=request\n")).exitCode()).isEqualTo(2);
    assertThat(AgentResult.parse(properties("protocol=1\nexitCode=4\nstep=busy\n")).step()).contains("busy");
  }

  @Test
  void aResultWithoutTransitionKeysHasNoTransitionAndIsNotPending() throws IOException {
    AgentResult result = AgentResult.parse(properties("protocol=1\nexitCode=0\npending=false\n"));
    assertThat(result.pending()).isFalse();
    assertThat(result.transition()).isEmpty();
  }

  @Test
  void readsThePendingFlagTheTransitionAndItsStragglers() throws IOException {
    AgentResult result = AgentResult.parse(properties("""
        protocol=1
        exitCode=0
        pending=true
        transition.state=running
        transition.command=replace
        transition.patch=all-3
        transition.consistency=per-thread
        transition.startedAt=2026-01-02T03:04:05Z
        transition.elapsedMs=1200
        transition.timeoutMs=5000
        transition.threads=40
        transition.switched=39
        transition.virtualThreads=invisible
        transition.straggler.0.name=worker-2
        transition.straggler.0.id=31
        transition.straggler.0.virtual=false
        transition.straggler.0.frame=demo.Codec.encode(Codec.java:12)
        transition.straggler.0.stack=demo.Codec.encode(Codec.java:12)\\ndemo.Caller.run(Caller.java:8)\\n
        transition.straggler.1.name=
        transition.straggler.1.id=x
        transition.straggler.1.virtual=true
        """));
    assertThat(result.pending()).isTrue();
    AgentResult.Transition transition = result.transition().orElseThrow();
    assertThat(transition.state()).isEqualTo("running");
    assertThat(transition.inProgress()).isTrue();
    assertThat(transition.command()).isEqualTo("replace");
    assertThat(transition.patch()).isEqualTo("all-3");
    assertThat(transition.consistency()).isEqualTo("per-thread");
    assertThat(transition.startedAt()).isEqualTo("2026-01-02T03:04:05Z");
    assertThat(transition.elapsedMs()).hasValue(1200);
    assertThat(transition.timeoutMs()).hasValue(5000);
    assertThat(transition.ms()).isEmpty();
    assertThat(transition.threads()).hasValue(40);
    assertThat(transition.switched()).hasValue(39);
    assertThat(transition.virtualThreads()).isEqualTo("invisible");
    assertThat(transition.stragglers()).hasSize(2);
    AgentResult.Straggler worker = transition.stragglers().get(0);
    assertThat(worker).isEqualTo(new AgentResult.Straggler("worker-2", 31, false, "demo.Codec.encode(Codec.java:12)",
        List.of("demo.Codec.encode(Codec.java:12)", "demo.Caller.run(Caller.java:8)")));
    AgentResult.Straggler unnamed = transition.stragglers().get(1);
    assertThat(unnamed.name()).isEmpty();
    assertThat(unnamed.id()).isEqualTo(-1);
    assertThat(unnamed.virtual()).isTrue();
    assertThat(unnamed.stack()).isEmpty();
    // withMessage keeps them
    assertThat(result.withMessage("m").transition()).isEqualTo(result.transition());
    assertThat(result.withMessage("m").pending()).isTrue();
  }

  @Test
  void aTransitionWithoutStateIsNone() throws IOException {
    AgentResult.Transition transition = AgentResult.parse(properties("protocol=1\nexitCode=0\ntransition.ms=3\n"))
        .transition().orElseThrow();
    assertThat(transition.state()).isEqualTo("none");
    assertThat(transition.inProgress()).isFalse();
    assertThat(transition.ms()).hasValue(3);
  }
}
