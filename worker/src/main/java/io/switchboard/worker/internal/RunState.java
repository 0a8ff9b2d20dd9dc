package io.switchboard.worker.internal;

import java.time.Instant;

/**
 * Where the engine is in its life: running, then draining (finishing the calls in flight up to a
 * deadline), then stopped; or abandoned at once, as a crashed process would be. Set from any
 * thread, read by the poll thread.
 */
final class RunState {
  private volatile boolean running = true;
  private volatile boolean abandoned;
  private volatile Instant drainEnd;

  boolean running() {
    return running;
  }

  /** Stops taking dispatches: the loop drains and exits. */
  void stop() {
    running = false;
  }

  /** Exits at once: nothing more is published or committed. */
  void abandon() {
    abandoned = true;
    running = false;
  }

  boolean abandoned() {
    return abandoned;
  }

  /** The calls in flight are being finished, until {@code end} at the latest. */
  void drainUntil(Instant end) {
    drainEnd = end;
  }

  boolean draining() {
    return drainEnd != null;
  }

  /** When draining ends at the latest; null before it starts. */
  Instant drainEnd() {
    return drainEnd;
  }
}
