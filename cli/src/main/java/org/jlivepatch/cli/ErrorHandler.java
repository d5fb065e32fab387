package org.jlivepatch.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns an exception from a command into one line on standard error (and, with {@code --json}, one
 * JSON object on standard output) and an exit code. Stack traces only with {@code JLIVEPATCH_DEBUG=1}.
 */
final class ErrorHandler implements IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception exception, CommandLine commandLine, ParseResult parseResult) {
    int exitCode = exception instanceof CliException cli ? cli.exitCode() : ExitCode.FAILURE;
    String message = exception instanceof CliException
        ? exception.getMessage()
        : "internal error: " + exception;
    PrintWriter err = commandLine.getErr();
    err.println("jlivepatch: " + message);
    if (exception instanceof CliException cli) {
      cli.details().forEach(err::println);
    }
    if ("1".equals(System.getenv("JLIVEPATCH_DEBUG"))) {
      exception.printStackTrace(err);
    }
    err.flush();
    if (jsonRequested(parseResult)) {
      var error = JsonOutput.error(message, exitCode);
      if (exception instanceof CliException cli) {
        error.putAll(cli.json());
      }
      JsonOutput.print(commandLine.getOut(), error);
    }
    return exitCode;
  }

  private static boolean jsonRequested(ParseResult parseResult) {
    ParseResult leaf = parseResult;
    while (leaf.hasSubcommand()) {
      leaf = leaf.subcommand();
    }
    return leaf.hasMatchedOption("--json");
  }
}
