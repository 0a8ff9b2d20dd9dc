package io.switchboard.schemas.config;

/**
 * {@code backoff} of a deployment: exponential backoff with full jitter between its retries. Each
 * key is declared once below; no component is null.
 *
 * @param initialMs {@link #INITIAL_MS}
 * @param maxMs {@link #MAX_MS}, at least {@code initialMs}
 * @param multiplier {@link #MULTIPLIER}
 */
public record BackoffConfig(Long initialMs, Long maxMs, Double multiplier) {
  private static final String SECTION = "model_list[].backoff";

  public static final ConfigKey<Long> INITIAL_MS =
      ConfigKey.integer(SECTION, "initial_ms", 500L, "The upper bound of the first delay.")
          .atLeast(0);
  public static final ConfigKey<Long> MAX_MS =
      ConfigKey.integer(SECTION, "max_ms", 30_000L, "The cap on any delay; at least initial_ms.")
          .atLeast(0);
  public static final ConfigKey<Double> MULTIPLIER =
      ConfigKey.number(SECTION, "multiplier", 2.0, "Growth of the delay per retry.").atLeast(1);

  /** Every key at its default. */
  public static final BackoffConfig DEFAULT = new BackoffConfig(null, null, null);

  public BackoffConfig {
    initialMs = INITIAL_MS.value(initialMs);
    maxMs = MAX_MS.value(maxMs);
    multiplier = MULTIPLIER.value(multiplier);
    if (maxMs < initialMs) {
      throw new ConfigException(MAX_MS.path() + ": " + maxMs + " is below initial_ms " + initialMs);
    }
  }
}
