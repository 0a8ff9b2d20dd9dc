package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.client.batch.ProgressMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

class ProgressChoiceTest {
  @Test
  void autoDrawsPlainLinesOnAnyStreamButStandardError() {
    PrintStream captured = new PrintStream(new ByteArrayOutputStream());
    assertThat(ProgressChoice.AUTO.resolve(captured)).isEqualTo(ProgressMode.PLAIN);
    assertThat(ProgressChoice.BAR.resolve(captured)).isEqualTo(ProgressMode.BAR);
    assertThat(ProgressChoice.PLAIN.resolve(System.err)).isEqualTo(ProgressMode.PLAIN);
    assertThat(ProgressChoice.NONE.resolve(System.err)).isEqualTo(ProgressMode.NONE);
  }

  static BatchCommand parse(String... options) {
    CommandLine cli = Main.commandLine();
    String[] args = new String[options.length + 5];
    System.arraycopy(
        new String[] {"batch", "--input", "in.jsonl", "--output", "out.jsonl"}, 0, args, 0, 5);
    System.arraycopy(options, 0, args, 5, options.length);
    cli.parseArgs(args);
    return (BatchCommand) cli.getSubcommands().get("batch").getCommandSpec().userObject();
  }

  @Test
  void parsesTheOptionAndNamesItWhenWrong() {
    assertThat(parse().progress).isEqualTo(ProgressChoice.AUTO);
    assertThat(parse("--progress", "Plain").progress).isEqualTo(ProgressChoice.PLAIN);
    assertThat(parse("--progress", "none").progress).isEqualTo(ProgressChoice.NONE);
    assertThatThrownBy(() -> parse("--progress", "fancy"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContainingAll("'--progress'", "[AUTO, BAR, PLAIN, NONE]", "'fancy'");
  }
}
