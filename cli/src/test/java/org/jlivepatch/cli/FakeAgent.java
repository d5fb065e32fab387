package org.jlivepatch.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.jlivepatch.core.testing.InMemoryCompiler;

/**
 * An agent jar that answers protocol v1 requests the way the target's {@code -Dfake.mode} says,
 * and appends each request it gets to the file {@code -Dfake.log} names. It tests the CLI side of
 * the protocol on its own; the real agent is tested end to end in the {@code it} module.
 *
 * <p>Modes: {@code ok} (default) applies patch {@code fix-1}; {@code refuse} refuses at the
 * expectation step, naming the payload file it was given; {@code halt} ends the JVM mid-command;
 * {@code silent} writes no result; {@code per-thread} answers apply/revert/replace with
 * {@code pending=true} and {@code await} twice more with a running transition (two stragglers,
 * then one), then with the final result: reversed at the timeout (exit 4) when the request's
 * {@code transitionTimeout} is under 1000 ms, forced when it had {@code force=true}, else
 * completed; {@code status} answers a running transition with two stragglers and their stacks.
 */
final class FakeAgent {

  private static final String SOURCE = """
      package fakeagent;

      import java.io.*;
      import java.nio.charset.StandardCharsets;
      import java.nio.file.*;
      import java.util.*;

      public class Agent {
        public static void agentmain(String args) throws Exception {
          Path request = Path.of(args.substring("request=".length()));
          Properties in = new Properties();
          try (Reader reader = Files.newBufferedReader(request, StandardCharsets.UTF_8)) {
            in.load(reader);
          }
          String log = System.getProperty("fake.log");
          if (log != null) {
            StringBuilder line = new StringBuilder();
            for (String key : new TreeSet<>(in.stringPropertyNames())) {
              line.append(key).append('=').append(in.getProperty(key)).append(';');
            }
            String payload = in.getProperty("payload");
            line.append("payloadReadable=").append(payload != null && Files.isReadable(Path.of(payload))).append('\\n');
            Files.writeString(Path.of(log), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          }
          String mode = System.getProperty("fake.mode", "ok");
          if (mode.equals("halt")) {
            Runtime.getRuntime().halt(7);
          }
          if (mode.equals("silent")) {
            return;
          }
          Properties out = new Properties();
          out.setProperty("protocol", "1");
          out.setProperty("agent.version", "0.0-fake");
          out.setProperty("jdk", System.getProperty("java.runtime.version"));
          String command = in.getProperty("command");
          if (mode.equals("per-thread")) {
            System.setProperty("jlivepatch.agent.version", "0.0-fake");
          }
          if (mode.equals("per-thread") && command.equals("status")) {
            out.setProperty("exitCode", "0");
            running(out, 2);
            out.setProperty("transition.straggler.0.stack", "demo.Codec.encode(Codec.java:12)\\ndemo.Caller.roundTrip(Caller.java:8)\\njava.lang.Thread.run(Thread.java:840)");
            out.setProperty("transition.straggler.1.stack", "demo.Codec.decode(Codec.java:30)\\njava.lang.VirtualThread.run(VirtualThread.java:309)");
            out.setProperty("stack.0.id", "fix-0");
            out.setProperty("stack.1.id", "fix-1");
          } else if (mode.equals("per-thread") && !command.equals("await")) {
            out.setProperty("exitCode", "0");
            out.setProperty("pending", "true");
            out.setProperty("command.id", "3");
            running(out, 2);
            System.setProperty("fake.awaits", "0");
            System.setProperty("fake.outcome", in.getProperty("force", "false").equals("true") ? "forced"
                : Long.parseLong(in.getProperty("transitionTimeout", "5000")) < 1000 ? "reversed" : "completed");
          } else if (mode.equals("per-thread")) {
            int awaits = Integer.parseInt(System.getProperty("fake.awaits")) + 1;
            System.setProperty("fake.awaits", Integer.toString(awaits));
            String outcome = System.getProperty("fake.outcome");
            if (awaits < 3) {
              out.setProperty("exitCode", "0");
              out.setProperty("pending", "true");
              running(out, 3 - awaits);
            } else if (outcome.equals("reversed")) {
              out.setProperty("exitCode", "4");
              out.setProperty("step", "consistency");
              out.setProperty("message", "1 thread(s) still in old code after 500 ms: worker-2; transition reversed, nothing changed");
              out.setProperty("patch.id", "fix-1");
              out.setProperty("transition.state", "reversed");
              out.setProperty("transition.ms", "640");
              straggler(out, 0);
            } else {
              out.setProperty("exitCode", "0");
              out.setProperty("message", "applied patch fix-1");
              out.setProperty("patch.id", "fix-1");
              out.setProperty("class.0.name", "demo.Codec");
              out.setProperty("class.0.loader", "app");
              out.setProperty("class.0.state", "applied");
              out.setProperty("stack.0.id", "fix-1");
              out.setProperty("transition.state", outcome);
              out.setProperty("transition.consistency", "per-thread");
              out.setProperty("transition.ms", "2400");
              out.setProperty("transition.threads", "12");
              out.setProperty("transition.switched", outcome.equals("forced") ? "11" : "12");
              if (outcome.equals("forced")) {
                straggler(out, 0);
              }
            }
          } else if (mode.equals("refuse")) {
            out.setProperty("exitCode", "3");
            out.setProperty("step", "expectation");
            out.setProperty("message", "demo.Greeter.greet(Ljava/lang/String;)Ljava/lang/String; from payload "
                + in.getProperty("payload") + " was built against other bytecode than what runs");
          } else {
            out.setProperty("exitCode", "0");
            out.setProperty("message", "applied patch fix-1");
            out.setProperty("patch.id", "fix-1");
            out.setProperty("class.0.name", "demo.Greeter");
            out.setProperty("class.0.loader", "app");
            out.setProperty("class.0.state", "applied");
            out.setProperty("class.1.name", "demo.util.Check");
            out.setProperty("class.1.loader", "");
            out.setProperty("class.1.state", "pending");
            out.setProperty("stack.0.id", "fix-1");
            out.setProperty("stack.0.appliedAt", "2026-01-02T03:04:05Z");
            out.setProperty("stack.0.user", "tester");
            out.setProperty("stack.0.classes", "demo.Greeter");
            out.setProperty("stack.0.pending", "demo.util.Check");
            out.setProperty("audit.0.time", "2026-01-02T03:04:05Z");
            out.setProperty("audit.0.user", "tester");
            out.setProperty("audit.0.action", "apply");
            out.setProperty("audit.0.id", "fix-1");
            out.setProperty("audit.0.result", "ok");
            out.setProperty("audit.0.message", "applied patch fix-1");
            System.setProperty("jlivepatch.agent.version", "0.0-fake");
            System.setProperty("jlivepatch.stack", "fix-1");
          }
          Path temporary = request.resolveSibling("result.tmp");
          try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
            out.store(writer, null);
          }
          Files.move(temporary, request.resolveSibling("result.properties"), StandardCopyOption.ATOMIC_MOVE);
        }

        static void running(Properties out, int stragglers) {
          out.setProperty("transition.state", "running");
          out.setProperty("transition.command", "apply");
          out.setProperty("transition.patch", "fix-1");
          out.setProperty("transition.consistency", "per-thread");
          out.setProperty("transition.startedAt", "2026-01-02T03:04:05Z");
          out.setProperty("transition.elapsedMs", "1200");
          out.setProperty("transition.timeoutMs", "5000");
          out.setProperty("transition.threads", "12");
          out.setProperty("transition.switched", Integer.toString(12 - stragglers));
          out.setProperty("transition.virtualThreads", "visible");
          for (int n = 0; n < stragglers; n++) {
            straggler(out, n);
          }
        }

        static void straggler(Properties out, int n) {
          String base = "transition.straggler." + n + ".";
          out.setProperty(base + "name", n == 0 ? "worker-2" : "");
          out.setProperty(base + "id", n == 0 ? "31" : "57");
          out.setProperty(base + "virtual", n == 0 ? "false" : "true");
          out.setProperty(base + "frame", n == 0 ? "demo.Codec.encode(Codec.java:12)" : "demo.Codec.decode(Codec.java:30)");
        }
      }
      """;

  private FakeAgent() {}

  /** Writes the fake agent jar to {@code jar}. */
  static Path write(Path jar) throws IOException {
    byte[] agent = InMemoryCompiler.compile(Map.of("fakeagent.Agent", SOURCE), "--release", "17").get("fakeagent.Agent");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Agent-Class", "fakeagent.Agent");
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
      out.putNextEntry(new JarEntry("fakeagent/Agent.class"));
      out.write(agent);
      out.closeEntry();
    }
    return jar;
  }
}
