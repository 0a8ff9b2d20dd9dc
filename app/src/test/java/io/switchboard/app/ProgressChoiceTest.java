package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.client.batch.ProgressMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

class ProgressChoiceTest {
  @TempDir Path dir;

  @Test
  void standardErrorIsATerminalWhenItsDescriptorLinksToATerminalDevice() throws Exception {
    Path pts = Files.createSymbolicLink(dir.resolve("fd-pts"), Path.of("/dev/pts/3"));
    Path tty = Files.createSymbolicLink(dir.resolve("fd-tty"), Path.of("/dev/tty1"));
    Path file = Files.createSymbolicLink(dir.resolve("fd-file"), dir.resolve("batch.log"));
    Path pipe = Files.createSymbolicLink(dir.resolve("fd-pipe"), Path.of("pipe:[12345]"));
    assertThat(ProgressChoice.stderrIsTerminal(pts, "xterm-256color")).isTrue();
    assertThat(ProgressChoice.stderrIsTerminal(tty, null)).isTrue();
    assertThat(ProgressChoice.stderrIsTerminal(file, "xterm")).isFalse();
    assertThat(ProgressChoice.stderrIsTerminal(pipe, "xterm")).isFalse();
    assertThat(ProgressChoice.stderrIsTerminal(pts, "dumb")).as("TERM=dumb draws no bar").isFalse();
  }

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
    System.arraycopy(new String[] {"batch", "--input", "in.jsonl", "--output", "out.jsonl"}, 0, args, 0, 5);
    System.arraycopy(options, 0, args, 5, options.length);
    cli.parseArgs(args);
    return (BatchCommand) cli.getSubcommands().get("batch").getCommandSpec().userObject();
  }

  @Test
  void parsesTheOptionAndNamesItWhenWrong() {
    assertThat(parse().progress).isEqualTo(ProgressChoice.AUTO);
    assertThat(parse("--progress", "Plain").progress).isEqualTo(ProgressChoice.PLAIN);
    assertThat(parse("--progress", "none").progress).isEqualTo(ProgressChoice.NONE);
    assertThatThrownBy(() -> parse("--progress", "fancy")).isInstanceOf(ParameterException.class)
        .hasMessageContainingAll("'--progress'", "[AUTO, BAR, PLAIN, NONE]", "'fancy'");
  }
}
