package org.jlivepatch.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
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
   * The subcommands by name, in the order help lists them. Created when used: picocli reads each
   * command's annotations by reflection, which costs a fresh JVM some 100 ms for all of them.
   */
  private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

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
    Supplier<Object> named = args.length > 0 ? SUBCOMMANDS.get(args[0]) : null;
    CommandLine commandLine = configure(named == null ? allSubcommands() : List.of(named.get()), out, err);
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
    subcommands.forEach(commandLine::addSubcommand);
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler(new ErrorHandler());
    commandLine.setParameterExceptionHandler(new UsageErrorHandler());
    return commandLine;
  }

  private static Map<String, Supplier<Object>> subcommands() {
    Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
    commands.put("build", BuildCommand::new);
    commands.put("review", ReviewCommand::new);
    commands.put("inspect", InspectCommand::new);
    commands.put("jvms", JvmsCommand::new);
    commands.put("apply", ApplyCommand::new);
    commands.put("revert", RevertCommand::new);
    commands.put("replace", ReplaceCommand::new);
    commands.put("list", ListCommand::new);
    commands.put("status", StatusCommand::new);
    commands.put("keygen", KeygenCommand::new);
    commands.put("sign", SignCommand::new);
    commands.put("verify", VerifyCommand::new);
    commands.put("demo", DemoCommand::new);
    commands.put("help", CommandLine.HelpCommand::new);
    return commands;
  }

  private static List<Object> allSubcommands() {
    return SUBCOMMANDS.values().stream().map(Supplier::get).toList();
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
