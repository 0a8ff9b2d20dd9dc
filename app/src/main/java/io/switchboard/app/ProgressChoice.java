package io.switchboard.app;

import io.switchboard.client.batch.ProgressMode;
import java.io.PrintStream;

/**
 * {@code batch --progress}: a {@link ProgressMode}, or {@link #AUTO} to choose one by the terminal.
 */
enum ProgressChoice {
  /** {@link #BAR} when standard error is a terminal, else {@link #PLAIN} (the default). */
  AUTO,
  /** A one-line bar redrawn in place. */
  BAR,
  /** A plain line every progress interval. */
  PLAIN,
  /** No progress output. */
  NONE;

  /**
   * The mode to draw with on {@code stream}: this one, or for {@link #AUTO} {@link
   * ProgressMode#BAR} when {@code stream} is this process's standard error and that is a terminal.
   */
  ProgressMode resolve(PrintStream stream) {
    return switch (this) {
      case AUTO ->
          stream == System.err && Terminal.stderr() ? ProgressMode.BAR : ProgressMode.PLAIN;
      case BAR -> ProgressMode.BAR;
      case PLAIN -> ProgressMode.PLAIN;
      case NONE -> ProgressMode.NONE;
    };
  }
}
