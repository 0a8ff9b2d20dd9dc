package io.switchboard.schemas.config;

/**
 * Exponential backoff with full jitter between retries of one deployment.
 *
 * @param initialMs the first delay's upper bound (default 500)
 * @param maxMs the cap on any delay (default 30000)
 * @param multiplier growth per retry (default 2.0)
 */
public record BackoffConfig(Long initialMs, Long maxMs, Double multiplier) {
  public static final BackoffConfig DEFAULT = new BackoffConfig(500L, 30_000L, 2.0);

  public BackoffConfig {
    initialMs = initialMs == null ? 500L : initialMs;
    maxMs = maxMs == null ? 30_000L : maxMs;
    multiplier = multiplier == null ? 2.0 : multiplier;
    if (initialMs < 0 || maxMs < initialMs || multiplier < 1.0) {
      throw new IllegalArgumentException("backoff needs 0 <= initial_ms <= max_ms and multiplier >= 1, was "
          + initialMs + ", " + maxMs + ", " + multiplier);
    }
  }
}
