package io.switchboard.worker.retry;

import io.switchboard.schemas.config.BackoffConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the delay before retry {@code n} (0 for the first retry) is
 * uniform in {@code [0, min(max_ms, initial_ms * multiplier^n)]}.
 */
public final class Backoff {
  private final BackoffConfig config;
  private final RandomGenerator random;

  public Backoff(BackoffConfig config, RandomGenerator random) {
    this.config = Objects.requireNonNull(config, "config");
    this.random = Objects.requireNonNull(random, "random");
  }

  /** The upper bound of the delay before retry {@code n}. */
  public Duration ceiling(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("retry number must be >= 0, was " + n);
    }
    double exponential = config.initialMs() * Math.pow(config.multiplier(), n);
    return Duration.ofMillis((long) Math.min(config.maxMs(), exponential));
  }

  /** A jittered delay before retry {@code n}. */
  public Duration delay(int n) {
    long ceiling = ceiling(n).toMillis();
    return Duration.ofMillis(ceiling == 0 ? 0 : random.nextLong(ceiling + 1));
  }

  /** A jittered delay before retry {@code n}, at least {@code serverDelay}. */
  public Duration delay(int n, Duration serverDelay) {
    Duration jittered = delay(n);
    return serverDelay != null && serverDelay.compareTo(jittered) > 0 ? serverDelay : jittered;
  }

  public BackoffConfig config() {
    return config;
  }
}
