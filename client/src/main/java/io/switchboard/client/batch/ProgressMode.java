package io.switchboard.client.batch;

/** How a batch shows its progress on the stream it writes progress to. */
public enum ProgressMode {
  /** A one-line bar redrawn in place with {@code \r} a few times a second, for a terminal. */
  BAR,
  /** A plain line every progress interval, and one at the end (the default). */
  PLAIN,
  /** No progress output. */
  NONE
}
