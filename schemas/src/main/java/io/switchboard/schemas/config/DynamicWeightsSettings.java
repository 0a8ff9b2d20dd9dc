package io.switchboard.schemas.config;

/**
 * {@code router_settings.dynamic_weights}: scale configured weights down by each deployment's
 * observed error rate and latency (from the health topic). Off by default. A deployment never
 * gets less than {@code min_share_fraction} of its configured share, so it keeps receiving the
 * traffic that shows when it has recovered.
 *
 * @param enabled whether weights adapt at all (default false)
 * @param minShareFraction the floor, as a fraction of the configured share, 0..1 (default 0.1)
 * @param errorRateExponent a deployment's weight is multiplied by {@code (1 - error_rate)^this} (default 2)
 * @param latencyExponent and by {@code (fastest latency / its latency)^this} (default 1; 0 ignores latency)
 */
public record DynamicWeightsSettings(Boolean enabled, Double minShareFraction, Double errorRateExponent,
    Double latencyExponent) {

  public static final DynamicWeightsSettings DEFAULT = new DynamicWeightsSettings(null, null, null, null);

  public DynamicWeightsSettings {
    enabled = enabled != null && enabled;
    minShareFraction = minShareFraction == null ? 0.1 : minShareFraction;
    errorRateExponent = errorRateExponent == null ? 2.0 : errorRateExponent;
    latencyExponent = latencyExponent == null ? 1.0 : latencyExponent;
    if (!(minShareFraction >= 0 && minShareFraction <= 1)) {
      throw new ConfigException("router_settings.dynamic_weights.min_share_fraction: " + minShareFraction + " is not within 0..1");
    }
    if (!(errorRateExponent >= 0) || !(latencyExponent >= 0)) {
      throw new ConfigException("router_settings.dynamic_weights: exponents must be 0 or more (error_rate_exponent "
          + errorRateExponent + ", latency_exponent " + latencyExponent + ")");
    }
  }
}
