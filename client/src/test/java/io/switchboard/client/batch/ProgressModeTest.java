package io.switchboard.client.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressModeTest {
  @TempDir Path dir;

  @Test
  void standardErrorIsATerminalWhenItsDescriptorLinksToATerminalDevice() throws Exception {
    Path pts = Files.createSymbolicLink(dir.resolve("fd-pts"), Path.of("/dev/pts/3"));
    Path tty = Files.createSymbolicLink(dir.resolve("fd-tty"), Path.of("/dev/tty1"));
    Path file = Files.createSymbolicLink(dir.resolve("fd-file"), dir.resolve("batch.log"));
    Path pipe = Files.createSymbolicLink(dir.resolve("fd-pipe"), Path.of("pipe:[12345]"));
    assertThat(ProgressMode.stderrIsTerminal(pts, "xterm-256color")).isTrue();
    assertThat(ProgressMode.stderrIsTerminal(tty, null)).isTrue();
    assertThat(ProgressMode.stderrIsTerminal(file, "xterm")).isFalse();
    assertThat(ProgressMode.stderrIsTerminal(pipe, "xterm")).isFalse();
    assertThat(ProgressMode.stderrIsTerminal(pts, "dumb")).as("TERM=dumb draws no bar").isFalse();
  }

  @Test
  void autoDrawsPlainLinesOnAnyStreamButStandardError() {
    PrintStream captured = new PrintStream(new ByteArrayOutputStream());
    assertThat(ProgressMode.AUTO.resolve(captured)).isEqualTo(ProgressMode.PLAIN);
    assertThat(ProgressMode.BAR.resolve(captured)).isEqualTo(ProgressMode.BAR);
    assertThat(ProgressMode.NONE.resolve(System.err)).isEqualTo(ProgressMode.NONE);
  }

  @Test
  void parsesTheOptionAndNamesItWhenWrong() {
    assertThat(ProgressMode.parse("Plain")).isEqualTo(ProgressMode.PLAIN);
    assertThat(ProgressMode.parse("none")).isEqualTo(ProgressMode.NONE);
    assertThatThrownBy(() -> ProgressMode.parse("fancy")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--progress must be auto, bar, plain or none, was 'fancy'");
  }
}
