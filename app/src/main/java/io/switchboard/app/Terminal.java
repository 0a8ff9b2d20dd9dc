package io.switchboard.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether standard output or error is a terminal, for output that redraws in place (a progress bar,
 * a refreshing table): escape codes belong on a screen, not in a pipe or a log file.
 */
final class Terminal {
  private static final Path STDOUT_LINK = Path.of("/proc/self/fd/1");
  private static final Path STDERR_LINK = Path.of("/proc/self/fd/2");

  private Terminal() {}

  /** Whether standard output is a terminal. */
  static boolean stdout() {
    return isTerminal(STDOUT_LINK, System.getenv("TERM"));
  }

  /** Whether standard error is a terminal. */
  static boolean stderr() {
    return isTerminal(STDERR_LINK, System.getenv("TERM"));
  }

  /**
   * Whether the file descriptor whose link is {@code fdLink} is a terminal. Java has no isatty, and
   * {@code System.console()} looks at standard input and output together: on Linux the descriptor's
   * link ({@code /proc/self/fd/N}) names the device, a terminal being {@code /dev/pts/N} or {@code
   * /dev/ttyN}. Without {@code /proc} the console is the best guess left. {@code TERM=dumb} is
   * never a terminal here.
   */
  static boolean isTerminal(Path fdLink, String term) {
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
