package org.jlivepatch.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jlivepatch.cli.attach.AgentClient;
import org.jlivepatch.cli.attach.LocalJvm;
import org.jlivepatch.cli.attach.LocalJvms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jlivepatch jvms}: the JVMs on this machine, like {@code jps}, with their JDK, whether the
 * jlivepatch agent is loaded and their patch stack. Reads system properties through the attach
 * mechanism; never loads an agent.
 */
@Command(
    name = "jvms",
    description = {
      "List the JVMs on this machine: pid, main class or jar, JDK version, jlivepatch agent version "
          + "(if loaded) and patch stack.",
      "Reads each JVM's system properties through the attach mechanism; loads nothing into it. "
          + "JVMs that cannot be attached to are listed with what is known and the reason."
    })
public final class JvmsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin JsonMixin json;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
      description = "The most time to spend on one JVM (default: ${DEFAULT-VALUE}); JVMs are asked in parallel.")
  Duration timeout;

  /**
   * One row of the listing.
   *
   * @param jvm the JVM
   * @param properties its system properties, if they could be read
   * @param error why they could not, if so
   */
  record Row(LocalJvm jvm, Optional<Properties> properties, Optional<String> error) {

    String jdk() {
      return properties.map(p -> p.getProperty("java.version", "")).orElse("");
    }

    Optional<String> agentVersion() {
      return properties.map(p -> p.getProperty(AgentCommands.AGENT_VERSION_PROPERTY));
    }

    List<String> stack() {
      String stack = properties.map(p -> p.getProperty(AgentCommands.STACK_PROPERTY, "")).orElse("");
      return Arrays.stream(stack.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
  }

  @Override
  public Integer call() {
    List<Row> rows = rows(LocalJvms.list());
    if (json.enabled()) {
      Map<String, Object> object = new LinkedHashMap<>();
      List<Map<String, Object>> jvms = new ArrayList<>();
      for (Row row : rows) {
        Map<String, Object> jvm = new LinkedHashMap<>();
        jvm.put("pid", row.jvm().pid());
        jvm.put("main", row.jvm().mainName());
        jvm.put("displayName", row.jvm().displayName());
        jvm.put("user", row.jvm().user().orElse(null));
        jvm.put("attachable", row.properties().isPresent());
        jvm.put("jdk", row.properties().isPresent() ? row.jdk() : null);
        jvm.put("vendor", row.properties().map(p -> p.getProperty("java.vendor")).orElse(null));
        jvm.put("agentLoaded", row.agentVersion().isPresent());
        jvm.put("agentVersion", row.agentVersion().orElse(null));
        jvm.put("stack", row.stack());
        jvm.put("error", row.error().orElse(null));
        jvms.add(jvm);
      }
      object.put("jvms", jvms);
      JsonOutput.print(spec.commandLine().getOut(), object);
    } else {
      print(spec.commandLine().getOut(), rows);
    }
    return ExitCode.OK;
  }

  /** Reads every JVM's system properties in parallel, each bounded by {@link #timeout}. */
  private List<Row> rows(List<LocalJvm> jvms) {
    String user = AgentCommands.user();
    AgentClient client = new AgentClient(line -> {});
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(8, jvms.size())), runnable -> {
      Thread thread = new Thread(runnable, "jlivepatch-jvms");
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<Future<Row>> futures = new ArrayList<>();
      for (LocalJvm jvm : jvms) {
        futures.add(pool.submit(() -> row(client, jvm, user)));
      }
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < jvms.size(); i++) {
        rows.add(await(futures.get(i), jvms.get(i)));
      }
      return rows;
    } finally {
      pool.shutdownNow();
    }
  }

  private Row row(AgentClient client, LocalJvm jvm, String user) {
    if (jvm.user().isPresent() && !jvm.user().get().equals(user)) {
      return new Row(jvm, Optional.empty(), Optional.of("runs as user '" + jvm.user().get() + "'"));
    }
    if (!jvm.attachable()) {
      return new Row(jvm, Optional.empty(), Optional.of("does not accept attach (-XX:+DisableAttachMechanism, or starting)"));
    }
    try (AgentClient.Session session = client.attach(jvm, timeout)) {
      return new Row(jvm, Optional.of(session.systemProperties(timeout)), Optional.empty());
    } catch (CliException e) {
      return new Row(jvm, Optional.empty(), Optional.of(e.getMessage()));
    }
  }

  private Row await(Future<Row> future, LocalJvm jvm) {
    try {
      // attach and read are each bounded by the timeout; this bounds queueing and detach as well
      return future.get(timeout.toMillis() * 3 + 5_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      return new Row(jvm, Optional.empty(), Optional.of("did not answer in time"));
    } catch (ExecutionException e) {
      return new Row(jvm, Optional.empty(), Optional.of(String.valueOf(e.getCause())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.FAILURE, "interrupted while listing JVMs", e);
    }
  }

  private static void print(PrintWriter out, List<Row> rows) {
    if (rows.isEmpty()) {
      out.println("no JVMs found (other than this one)");
      out.flush();
      return;
    }
    int pidWidth = Math.max(3, rows.stream().mapToInt(r -> Long.toString(r.jvm().pid()).length()).max().orElse(0));
    int jdkWidth = Math.max(3, rows.stream().mapToInt(r -> r.jdk().length()).max().orElse(0));
    int agentWidth = Math.max(5, rows.stream().mapToInt(r -> r.agentVersion().orElse("-").length()).max().orElse(0));
    int stackWidth = Math.max(5, rows.stream().mapToInt(r -> stackText(r).length()).max().orElse(0));
    String format = "%-" + pidWidth + "s  %-" + jdkWidth + "s  %-" + agentWidth + "s  %-" + stackWidth + "s  %s%n";
    out.printf(format, "PID", "JDK", "AGENT", "STACK", "MAIN");
    for (Row row : rows) {
      String main = row.jvm().mainName().isEmpty() ? "?" : row.jvm().mainName();
      out.printf(format, row.jvm().pid(), row.jdk().isEmpty() ? "?" : row.jdk(), row.agentVersion().orElse("-"),
          stackText(row), main + row.error().map(e -> "  (" + e + ")").orElse(""));
    }
    out.flush();
  }

  private static String stackText(Row row) {
    return row.stack().isEmpty() ? "-" : String.join(",", row.stack());
  }
}
