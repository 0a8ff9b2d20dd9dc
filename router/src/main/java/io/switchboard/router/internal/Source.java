package io.switchboard.router.internal;

/** Where an input of the routing processor came from, for dead-letter copies. */
record Source(String topic, int partition, long offset) {
  /** An input of no record (a punctuation's own). */
  static final Source NONE = new Source(null, -1, -1);
}
