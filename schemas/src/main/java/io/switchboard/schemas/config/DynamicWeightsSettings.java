package io.switchboard.schemas.config;

/**
 * {@code router_settings.dynamic_weights}: scale configured weights down by each deployment's
 * observed error rate and latency (from the health topic). Off by default. A deployment never gets
 * less than {@code min_share_fraction} of its configured share, so it keeps receiving the traffic
 * that shows when it has recovered. Each key is declared once below; no component is null.
 *
 * @param enabled {@link #ENABLED}
 * @param minShareFraction {@link #MIN_SHARE_FRACTION}
 * @param errorRateExponent {@link #ERROR_RATE_EXPONENT}
 * @param latencyExponent {@link #LATENCY_EXPONENT}
 */
public record DynamicWeightsSettings(
    Boolean enabled, Double minShareFraction, Double errorRateExponent, Double latencyExponent) {

  private static final String SECTION = "router_settings.dynamic_weights";

  public static final ConfigKey<Boolean> ENABLED =
      ConfigKey.bool(SECTION, "enabled", false, "Whether weights adapt at all.");
  public static final ConfigKey<Double> MIN_SHARE_FRACTION =
      ConfigKey.number(
              SECTION,
              "min_share_fraction",
              0.1,
              "The floor of a deployment's share, as a fraction of its configured share.")
          .between(0, 1);
  public static final ConfigKey<Double> ERROR_RATE_EXPONENT =
      ConfigKey.number(
              SECTION,
              "error_rate_exponent",
              2.0,
              "A deployment's weight is multiplied by (1 - error_rate)^this.")
          .atLeast(0);
  public static final ConfigKey<Double> LATENCY_EXPONENT =
      ConfigKey.number(
              SECTION,
              "latency_exponent",
              1.0,
              "And by (fastest latency / its latency)^this; 0 ignores latency.")
          .atLeast(0);

  /** Every key at its default (off). */
  public static final DynamicWeightsSettings DEFAULT =
      new DynamicWeightsSettings(null, null, null, null);

  public DynamicWeightsSettings {
    enabled = ENABLED.value(enabled);
    minShareFraction = MIN_SHARE_FRACTION.value(minShareFraction);
    errorRateExponent = ERROR_RATE_EXPONENT.value(errorRateExponent);
    latencyExponent = LATENCY_EXPONENT.value(latencyExponent);
  }
}
