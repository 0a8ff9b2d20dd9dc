package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TerminalTest {
  @TempDir Path dir;

  @Test
  void aDescriptorIsATerminalWhenItLinksToATerminalDevice() throws Exception {
    Path pts = Files.createSymbolicLink(dir.resolve("fd-pts"), Path.of("/dev/pts/3"));
    Path tty = Files.createSymbolicLink(dir.resolve("fd-tty"), Path.of("/dev/tty1"));
    Path file = Files.createSymbolicLink(dir.resolve("fd-file"), dir.resolve("batch.log"));
    Path pipe = Files.createSymbolicLink(dir.resolve("fd-pipe"), Path.of("pipe:[12345]"));
    assertThat(Terminal.isTerminal(pts, "xterm-256color")).isTrue();
    assertThat(Terminal.isTerminal(tty, null)).isTrue();
    assertThat(Terminal.isTerminal(file, "xterm")).isFalse();
    assertThat(Terminal.isTerminal(pipe, "xterm")).isFalse();
    assertThat(Terminal.isTerminal(pts, "dumb")).as("TERM=dumb draws no bar").isFalse();
  }
}
