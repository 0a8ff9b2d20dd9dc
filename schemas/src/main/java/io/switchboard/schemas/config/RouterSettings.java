package io.switchboard.schemas.config;

/**
 * {@code router_settings}: defaults shared by router and workers.
 *
 * @param allowedFails failures within a minute before a deployment cools down (default 3)
 * @param cooldownSeconds how long a cooled-down deployment gets no traffic (default 60)
 * @param numRetries default retries per deployment (default 2)
 * @param timeoutMs default per-attempt timeout (default 60000)
 * @param maxRequestBytes largest request record accepted (default 1 MiB)
 * @param applicationId the Kafka Streams application id (default {@code switchboard-router})
 * @param stateDir Kafka Streams state directory (default: a temp directory)
 * @param dynamicWeights weights adapted to observed errors and latency (default off)
 */
public record RouterSettings(
    Integer allowedFails,
    Integer cooldownSeconds,
    Integer numRetries,
    Long timeoutMs,
    Integer maxRequestBytes,
    String applicationId,
    String stateDir,
    DynamicWeightsSettings dynamicWeights) {

  public static final RouterSettings DEFAULT = new RouterSettings(null, null, null, null, null, null, null, null);

  public RouterSettings {
    allowedFails = allowedFails == null ? 3 : allowedFails;
    cooldownSeconds = cooldownSeconds == null ? 60 : cooldownSeconds;
    numRetries = numRetries == null ? 2 : numRetries;
    timeoutMs = timeoutMs == null ? 60_000L : timeoutMs;
    maxRequestBytes = maxRequestBytes == null ? 1 << 20 : maxRequestBytes;
    applicationId = applicationId == null ? "switchboard-router" : applicationId;
    dynamicWeights = dynamicWeights == null ? DynamicWeightsSettings.DEFAULT : dynamicWeights;
  }

  /** Settings without {@code dynamic_weights} (off). */
  public RouterSettings(Integer allowedFails, Integer cooldownSeconds, Integer numRetries, Long timeoutMs,
      Integer maxRequestBytes, String applicationId, String stateDir) {
    this(allowedFails, cooldownSeconds, numRetries, timeoutMs, maxRequestBytes, applicationId, stateDir, null);
  }
}
