package org.jlivepatch.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jlivepatch.core.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code jlivepatch} command: its subcommands, exit codes and error reporting. */
@Command(
    name = "jlivepatch",
    // Every subcommand gets --help and --version.
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = JLivePatch.VersionProvider.class,
    description = "Live patching for running JVMs: build a patch from two builds of a class set, review it, "
        + "and switch it into a running JVM without a restart.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "1:failure",
      "2:usage error",
      "3:refused - nothing changed (expectation, dependency, signature, unsafe change, veto)",
      "4:retry later - nothing changed (busy, consistency timeout)"
    })
public final class JLivePatch implements Runnable {

  /**
   * The subcommands' names, in the order help lists them. Each is created when used ({@link
   * #create}): picocli reads each command's annotations by reflection, which costs a fresh JVM some
   * 100 ms for all of them. A switch rather than a map of constructor references: those would load
   * every command class and spin a lambda class for each at start-up.
   */
  private static final List<String> SUBCOMMANDS = List.of("build", "review", "inspect", "jvms", "apply", "revert",
      "replace", "list", "status", "keygen", "sign", "verify", "demo", "help");

  @Spec CommandSpec spec;

  /** Runs the CLI and exits with its exit code. */
  public static void main(String[] args) {
    Timing.mark("main");
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(out, err, args));
  }

  /** Runs the CLI with the given writers and returns its exit code; never exits the JVM. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    // Only the subcommand named first, when it is one; all of them for help, usage errors and the rest.
    Object named = args.length > 0 ? create(args[0]) : null;
    CommandLine commandLine = configure(named == null ? allSubcommands() : List.of(named), out, err);
    Timing.mark("command line built");
    int exitCode = commandLine.execute(args);
    Timing.mark("done");
    return exitCode;
  }

  /** The configured command line with every subcommand, for tests and embedding. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    return configure(allSubcommands(), out, err);
  }

  private static CommandLine configure(List<Object> subcommands, PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(new JLivePatch());
    for (Object subcommand : subcommands) {
      commandLine.addSubcommand(subcommand);
    }
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler(new ErrorHandler());
    commandLine.setParameterExceptionHandler(new UsageErrorHandler());
    return commandLine;
  }

  /** A new instance of the subcommand {@code name}, or null when there is none by that name. */
  private static Object create(String name) {
    return switch (name) {
      case "build" -> new BuildCommand();
      case "review" -> new ReviewCommand();
      case "inspect" -> new InspectCommand();
      case "jvms" -> new JvmsCommand();
      case "apply" -> new ApplyCommand();
      case "revert" -> new RevertCommand();
      case "replace" -> new ReplaceCommand();
      case "list" -> new ListCommand();
      case "status" -> new StatusCommand();
      case "keygen" -> new KeygenCommand();
      case "sign" -> new SignCommand();
      case "verify" -> new VerifyCommand();
      case "demo" -> new DemoCommand();
      case "help" -> new CommandLine.HelpCommand();
      default -> null;
    };
  }

  private static List<Object> allSubcommands() {
    List<Object> all = new ArrayList<>();
    for (String name : SUBCOMMANDS) {
      all.add(create(name));
    }
    return all;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Prints the version of this build. */
  static final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "jlivepatch " + Version.current(),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
      };
    }
  }
}
