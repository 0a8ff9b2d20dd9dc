package io.switchboard.client.batch;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How {@code switchboard batch} shows its progress ({@code --progress}) on the stream it writes
 * progress to (standard error on the command line).
 */
public enum ProgressMode {
  /** {@link #BAR} when that stream is a terminal, else {@link #PLAIN} (the default). */
  AUTO,
  /** A one-line bar redrawn in place with {@code \r} a few times a second. */
  BAR,
  /** A plain line every progress interval, and one at the end. */
  PLAIN,
  /** No progress output. */
  NONE;

  private static final Path STDERR_LINK = Path.of("/proc/self/fd/2");

  /** Parses {@code auto|bar|plain|none} (any case). */
  public static ProgressMode parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--progress must be auto, bar, plain or none, was '" + text + "'");
    }
  }

  /**
   * The mode to draw with on {@code stream}: this one, or for {@link #AUTO} {@link #BAR} when
   * {@code stream} is this process's standard error and that is a terminal.
   */
  public ProgressMode resolve(PrintStream stream) {
    if (this != AUTO) {
      return this;
    }
    return stream == System.err && stderrIsTerminal(STDERR_LINK, System.getenv("TERM")) ? BAR : PLAIN;
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
