package io.switchboard.schemas.config;

import java.util.List;

/**
 * {@code router_settings}: defaults shared by router and workers. Each key is declared once below,
 * with its default, bounds and doc; absent keys take their defaults, so no component is null but
 * {@code stateDir}.
 *
 * @param allowedFails {@link #ALLOWED_FAILS}
 * @param cooldownSeconds {@link #COOLDOWN_SECONDS}
 * @param numRetries {@link #NUM_RETRIES}
 * @param timeoutMs {@link #TIMEOUT_MS}
 * @param maxRequestBytes {@link #MAX_REQUEST_BYTES}
 * @param applicationId {@link #APPLICATION_ID}
 * @param stateDir {@link #STATE_DIR}, null when unset
 * @param dynamicWeights {@link #DYNAMIC_WEIGHTS}
 * @param routingStrategy {@link #ROUTING_STRATEGY}
 * @param retryOnStatusCodes {@link #RETRY_ON_STATUS_CODES}, null when unset
 * @param retryPolicy {@link #RETRY_POLICY}
 * @param priorityReserve {@link #PRIORITY_RESERVE}
 */
public record RouterSettings(
    Integer allowedFails,
    Integer cooldownSeconds,
    Integer numRetries,
    Long timeoutMs,
    Integer maxRequestBytes,
    String applicationId,
    String stateDir,
    DynamicWeightsSettings dynamicWeights,
    RoutingStrategy routingStrategy,
    List<Integer> retryOnStatusCodes,
    RetryPolicyConfig retryPolicy,
    PriorityReserve priorityReserve) {

  private static final String SECTION = "router_settings";

  public static final ConfigKey<Integer> ALLOWED_FAILS =
      ConfigKey.integer(
              SECTION,
              "allowed_fails",
              3,
              "Failures of a deployment within a minute before it cools down.")
          .atLeast(1);
  public static final ConfigKey<Integer> COOLDOWN_SECONDS =
      ConfigKey.integer(
              SECTION, "cooldown_seconds", 60, "How long a cooled-down deployment gets no traffic.")
          .atLeast(1);
  public static final ConfigKey<Integer> NUM_RETRIES =
      ConfigKey.<Integer>integer(
              SECTION,
              "num_retries",
              null,
              "How many times the router may send one request to another deployment of the alias, group or inline list it "
                  + "was routed to, after deployments hand it back, before it takes the fallback chain (a request's "
                  + "num_retries wins); unset: as many as the list has deployments. Retries of a call on one deployment are "
                  + "its max_retries.")
          .atLeast(0);
  public static final ConfigKey<Long> TIMEOUT_MS =
      ConfigKey.integer(
              SECTION,
              "timeout_ms",
              60_000L,
              "Per-attempt timeout, for deployments without timeout_ms.")
          .atLeast(1);
  public static final ConfigKey<Integer> MAX_REQUEST_BYTES =
      ConfigKey.integer(SECTION, "max_request_bytes", 1 << 20, "Largest request record accepted.")
          .atLeast(256);
  public static final ConfigKey<String> APPLICATION_ID =
      ConfigKey.string(
              SECTION,
              "application_id",
              "switchboard-router",
              "Kafka Streams application id of the router.")
          .atLeast(1);
  public static final ConfigKey<String> STATE_DIR =
      ConfigKey.string(
          SECTION,
          "state_dir",
          null,
          "Kafka Streams state directory; unset: a temporary directory.");
  public static final ConfigKey<DynamicWeightsSettings> DYNAMIC_WEIGHTS =
      ConfigKey.object(
          SECTION,
          "dynamic_weights",
          DynamicWeightsSettings.DEFAULT,
          "Scale weights down by observed error rate and latency; never below "
              + "min_share_fraction of the configured share. Off by default.");
  public static final ConfigKey<RoutingStrategy> ROUTING_STRATEGY =
      ConfigKey.string(
              SECTION,
              "routing_strategy",
              RoutingStrategy.WEIGHTED,
              "How the router chooses among the eligible deployments of an alias, group or list "
                  + "without its own routing_strategies entry: weighted (the configured split), least-busy, usage-based or "
                  + "latency-based; LiteLLM's names are accepted.")
          .oneOf(RoutingStrategy.names());

  public static final ConfigKey<List<Integer>> RETRY_ON_STATUS_CODES =
      ConfigKey.array(
          SECTION,
          "retry_on_status_codes",
          null,
          "HTTP statuses after which a worker calls the same deployment again (up to "
              + "max_retries), for deployments without their own list; unset: 408, 409, 429 and every 5xx. Timeouts and "
              + "connection errors are retried whatever the list says.");
  public static final ConfigKey<RetryPolicyConfig> RETRY_POLICY =
      ConfigKey.object(
          SECTION,
          "retry_policy",
          RetryPolicyConfig.NONE,
          "Retries per error class, in place of max_retries; a deployment's retry_policy "
              + "overrides it class by class.");

  public static final ConfigKey<PriorityReserve> PRIORITY_RESERVE =
      ConfigKey.object(
          SECTION,
          "priority_reserve",
          PriorityReserve.NONE,
          "The fraction of every deployment's rpm and tpm held for each class (interactive, default, batch) in "
              + "every window, e.g. {batch: 0.1}: the other classes never use it, so batch keeps its share when "
              + "interactive traffic saturates a deployment; the fractions sum below 1. A deployment's "
              + "priority_reserve replaces it. Unset: none, the classes share the budget in priority order.");

  /** Every key at its default. */
  public static final RouterSettings DEFAULT =
      new RouterSettings(null, null, null, null, null, null, null, null, null, null, null, null);

  public RouterSettings {
    allowedFails = ALLOWED_FAILS.value(allowedFails);
    cooldownSeconds = COOLDOWN_SECONDS.value(cooldownSeconds);
    numRetries = NUM_RETRIES.value(numRetries);
    timeoutMs = TIMEOUT_MS.value(timeoutMs);
    maxRequestBytes = MAX_REQUEST_BYTES.value(maxRequestBytes);
    applicationId = APPLICATION_ID.value(applicationId);
    stateDir = STATE_DIR.value(stateDir);
    dynamicWeights = DYNAMIC_WEIGHTS.value(dynamicWeights);
    routingStrategy = ROUTING_STRATEGY.value(routingStrategy);
    retryOnStatusCodes =
        statusCodes(RETRY_ON_STATUS_CODES.value(retryOnStatusCodes), RETRY_ON_STATUS_CODES.path());
    retryPolicy = RETRY_POLICY.value(retryPolicy);
    priorityReserve =
        PriorityReserve.checked(PRIORITY_RESERVE.value(priorityReserve), PRIORITY_RESERVE.path());
  }

  /** Settings without {@code dynamic_weights} (off) and with the default routing strategy. */
  public RouterSettings(
      Integer allowedFails,
      Integer cooldownSeconds,
      Integer numRetries,
      Long timeoutMs,
      Integer maxRequestBytes,
      String applicationId,
      String stateDir) {
    this(
        allowedFails,
        cooldownSeconds,
        numRetries,
        timeoutMs,
        maxRequestBytes,
        applicationId,
        stateDir,
        null,
        null,
        null,
        null,
        null);
  }

  /**
   * A {@code retry_on_status_codes} list, checked: every entry an HTTP status (100 to 599). Null
   * stays null (unset).
   *
   * @param at the key's path, for the error
   */
  static List<Integer> statusCodes(List<Integer> codes, String at) {
    if (codes == null) {
      return null;
    }
    for (int i = 0; i < codes.size(); i++) {
      Integer code = codes.get(i);
      if (code == null || code < 100 || code > 599) {
        throw new ConfigException(
            at + "[" + i + "]: " + code + " is not an HTTP status (100 to 599)");
      }
    }
    return List.copyOf(codes);
  }
}
