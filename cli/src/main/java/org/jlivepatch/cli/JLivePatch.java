package org.jlivepatch.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
    subcommands = {
      BuildCommand.class, ReviewCommand.class, InspectCommand.class,
      JvmsCommand.class, ApplyCommand.class, RevertCommand.class, ReplaceCommand.class, ListCommand.class,
      KeygenCommand.class, SignCommand.class, VerifyCommand.class, DemoCommand.class, CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "1:failure",
      "2:usage error",
      "3:refused - nothing changed (expectation, dependency, signature, unsafe change, veto)",
      "4:retry later - nothing changed (busy, consistency timeout)"
    })
public final class JLivePatch implements Runnable {

  @Spec CommandSpec spec;

  /** Runs the CLI and exits with its exit code. */
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(out, err, args));
  }

  /** Runs the CLI with the given writers and returns its exit code; never exits the JVM. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return commandLine(out, err).execute(args);
  }

  /** The configured command line, for tests and embedding. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(new JLivePatch());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler(new ErrorHandler());
    commandLine.setParameterExceptionHandler(new UsageErrorHandler());
    return commandLine;
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
