package io.switchboard.app;

import io.switchboard.client.batch.ProgressMode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code batch --progress}: a {@link ProgressMode}, or {@link #AUTO} to choose one by the terminal. */
enum ProgressChoice {
  /** {@link #BAR} when standard error is a terminal, else {@link #PLAIN} (the default). */
  AUTO,
  /** A one-line bar redrawn in place. */
  BAR,
  /** A plain line every progress interval. */
  PLAIN,
  /** No progress output. */
  NONE;

  private static final Path STDERR_LINK = Path.of("/proc/self/fd/2");

  /**
   * The mode to draw with on {@code stream}: this one, or for {@link #AUTO} {@link ProgressMode#BAR}
   * when {@code stream} is this process's standard error and that is a terminal.
   */
  ProgressMode resolve(PrintStream stream) {
    return switch (this) {
      case AUTO -> stream == System.err && stderrIsTerminal(STDERR_LINK, System.getenv("TERM"))
          ? ProgressMode.BAR : ProgressMode.PLAIN;
      case BAR -> ProgressMode.BAR;
      case PLAIN -> ProgressMode.PLAIN;
      case NONE -> ProgressMode.NONE;
    };
  }

  /**
   * Whether standard error is a terminal. Java has no isatty, and {@code System.console()} looks at
   * standard input and output, not error: on Linux the file descriptor's link ({@code
   * /proc/self/fd/2}) names the device, a terminal being {@code /dev/pts/N} or {@code /dev/ttyN}.
   * Without {@code /proc} the console is the best guess left. {@code TERM=dumb} never gets a bar.
   */
  static boolean stderrIsTerminal(Path fdLink, String term) {
    if ("dumb".equals(term)) {
      return false;
    }
    try {
      String target = Files.readSymbolicLink(fdLink).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException e) {
      return System.console() != null;
    }
  }
}
