package io.switchboard.schemas.config.live;

import io.switchboard.schemas.config.SwitchboardConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The configuration a process has in force: version 0 (its start-up file) until a version from the
 * config topic replaces it. Versions only move forward. Thread-safe: one thread (the {@link
 * ConfigWatcher}) updates it, the process's threads read it at their safe points.
 */
public final class LiveConfig {
  /** A config and its version number: 0 for the start-up file. */
  public record Version(long number, SwitchboardConfig config) {
    public Version {
      Objects.requireNonNull(config, "config");
    }
  }

  private volatile Version current;
  private final AtomicLong rejected = new AtomicLong();

  /** Starts on the start-up file's config, version 0. */
  public LiveConfig(SwitchboardConfig startup) {
    this.current = new Version(0, startup);
  }

  /** The version in force now. */
  public Version current() {
    return current;
  }

  /** The number of the version in force now. */
  public long version() {
    return current.number();
  }

  /** Versions this process refused (and did not apply) since it started. */
  public long rejected() {
    return rejected.get();
  }

  /**
   * Puts {@code config} in force as version {@code number}; an older or equal number is ignored.
   *
   * @return whether it is in force now
   */
  public synchronized boolean update(long number, SwitchboardConfig config) {
    if (number <= current.number()) {
      return false;
    }
    current = new Version(number, config);
    notifyAll();
    return true;
  }

  /** Counts a version this process could not apply. */
  void rejectedOne() {
    rejected.incrementAndGet();
  }

  /**
   * Waits until version {@code number} or a later one is in force, for at most {@code timeout}.
   *
   * @return whether it is
   */
  public synchronized boolean awaitVersion(long number, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (current.number() < number) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }
}
