package org.jlivepatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Every command answers {@code --help} and {@code --version}, whatever its required options. */
class HelpTest {

  static Stream<String> commands() {
    CommandLine root = JLivePatch.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    return root.getSubcommands().keySet().stream().filter(name -> !name.equals("help"));
  }

  @ParameterizedTest
  @MethodSource("commands")
  void helpPrintsUsageAndExitsZero(String command) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode = JLivePatch.run(new PrintWriter(out), new PrintWriter(err), command, "--help");
    assertThat(exitCode).as(err.toString()).isZero();
    assertThat(out.toString()).startsWith("Usage: jlivepatch " + command);
    assertThat(err.toString()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("commands")
  void firstDescriptionLineIsOneSentence(String command) {
    CommandLine root = JLivePatch.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    String[] description = root.getSubcommands().get(command).getCommandSpec().usageMessage().description();
    // The command list shows only the first line.
    assertThat(description).isNotEmpty();
    assertThat(description[0]).endsWith(".").hasSizeLessThanOrEqualTo(140);
  }

  @ParameterizedTest
  @MethodSource("commands")
  void versionNamesTheRelease(String command) {
    StringWriter out = new StringWriter();
    int exitCode = JLivePatch.run(new PrintWriter(out), new PrintWriter(new StringWriter()), command, "--version");
    assertThat(exitCode).isZero();
    assertThat(out.toString()).startsWith("jlivepatch ");
  }
}
