package io.switchboard.schemas.config;

/**
 * {@code worker_settings}. Each key is declared once below, with its default, bounds and doc;
 * absent keys take their defaults, so no component is null.
 *
 * @param groupId {@link #GROUP_ID}
 * @param maxInFlightPerLane {@link #MAX_IN_FLIGHT_PER_LANE}
 * @param maxConnections {@link #MAX_CONNECTIONS}
 * @param shutdownGraceMs {@link #SHUTDOWN_GRACE_MS}
 * @param transactionalIdPrefix {@link #TRANSACTIONAL_ID_PREFIX}
 * @param healthPublishIntervalMs {@link #HEALTH_PUBLISH_INTERVAL_MS}
 * @param transactionIntervalMs {@link #TRANSACTION_INTERVAL_MS}
 * @param httpVersion {@link #HTTP_VERSION}
 * @param maxConnectionsPerHost {@link #MAX_CONNECTIONS_PER_HOST}; {@code max_connections} when
 *     unset
 * @param maxStreamsPerConnection {@link #MAX_STREAMS_PER_CONNECTION}
 * @param learnLimits {@link #LEARN_LIMITS}
 * @param batchReadAhead {@link #BATCH_READ_AHEAD}
 */
public record WorkerSettings(
    String groupId,
    Integer maxInFlightPerLane,
    Integer maxConnections,
    Long shutdownGraceMs,
    String transactionalIdPrefix,
    Long healthPublishIntervalMs,
    Long transactionIntervalMs,
    HttpVersionChoice httpVersion,
    Integer maxConnectionsPerHost,
    Integer maxStreamsPerConnection,
    Boolean learnLimits,
    Integer batchReadAhead) {

  private static final String SECTION = "worker_settings";

  public static final ConfigKey<String> GROUP_ID =
      ConfigKey.string(SECTION, "group_id", "switchboard-worker", "Consumer group of the workers.")
          .atLeast(1);
  public static final ConfigKey<Integer> MAX_IN_FLIGHT_PER_LANE =
      ConfigKey.integer(
              SECTION,
              "max_in_flight_per_lane",
              1000,
              "In-flight calls per dispatch partition before it is paused.")
          .atLeast(1);
  public static final ConfigKey<Integer> MAX_CONNECTIONS =
      ConfigKey.integer(SECTION, "max_connections", 2000, "HTTP connections per worker.")
          .atLeast(1);
  public static final ConfigKey<HttpVersionChoice> HTTP_VERSION =
      ConfigKey.string(
              SECTION,
              "http_version",
              HttpVersionChoice.AUTO,
              "HTTP version to providers: auto (https: HTTP/2 when the server offers it, else HTTP/1.1; plain http: "
                  + "HTTP/1.1), http1, or http2 (https: required; plain http: h2c with prior knowledge).")
          .oneOf(HttpVersionChoice.names());
  public static final ConfigKey<Integer> MAX_CONNECTIONS_PER_HOST =
      ConfigKey.<Integer>integer(
              SECTION,
              "max_connections_per_host",
              null,
              "HTTP connections to one host (scheme, name and port), within max_connections; unset: "
                  + "max_connections. Over HTTP/1.1 this is the most calls in flight to that host.")
          .atLeast(1);
  public static final ConfigKey<Integer> MAX_STREAMS_PER_CONNECTION =
      ConfigKey.integer(
              SECTION,
              "max_streams_per_connection",
              100,
              "HTTP/2 calls in flight on one connection before another connection to the host is opened; the "
                  + "server's own limit (SETTINGS_MAX_CONCURRENT_STREAMS) holds further calls on the connection until "
                  + "streams end.")
          .atLeast(1);
  public static final ConfigKey<Long> SHUTDOWN_GRACE_MS =
      ConfigKey.integer(
              SECTION,
              "shutdown_grace_ms",
              30_000L,
              "How long a stopping worker waits for in-flight calls, and how long a rebalance waits for those of the "
                  + "partitions it revokes; keep it below the consumer's max.poll.interval.ms.")
          .atLeast(0);
  public static final ConfigKey<String> TRANSACTIONAL_ID_PREFIX =
      ConfigKey.string(
              SECTION,
              "transactional_id_prefix",
              "switchboard-worker",
              "Prefix of the workers' transactional ids.")
          .atLeast(1);
  public static final ConfigKey<Long> HEALTH_PUBLISH_INTERVAL_MS =
      ConfigKey.integer(
              SECTION,
              "health_publish_interval_ms",
              10_000L,
              "How often a worker publishes on the health topic the recent error rate, "
                  + "latency and dispatches in flight of each deployment it called in the last minute or holds dispatches "
                  + "of, for dynamic weights, routing strategies and operators; 0: only when a cooldown starts.")
          .atLeast(0);
  public static final ConfigKey<Long> TRANSACTION_INTERVAL_MS =
      ConfigKey.integer(
              SECTION,
              "transaction_interval_ms",
              0L,
              "The least time between two of a worker's transactions; 0: a transaction on every loop that finished "
                  + "something. Larger values put more replies in each transaction, so the broker writes fewer transaction "
                  + "markers per reply, and add up to this much to each reply's latency.")
          .atLeast(0);

  public static final ConfigKey<Boolean> LEARN_LIMITS =
      ConfigKey.bool(
          SECTION,
          "learn_limits",
          true,
          "Learn each deployment's real rate limit from the provider's rate-limit headers and 429s, pace "
              + "below it and share it with the router and the other workers through the health topic; the "
              + "configured rpm/tpm stay the ceiling. false: pace at the configured rpm/tpm only.");

  public static final ConfigKey<Integer> BATCH_READ_AHEAD =
      ConfigKey.integer(
              SECTION,
              "batch_read_ahead",
              5000,
              "The most batch dispatches a dispatch partition holds fetched and not started: how far it reads past "
                  + "waiting batch dispatches to reach interactive and default ones behind them (each held dispatch "
                  + "holds its request in memory); 0: it pauses as soon as anything waits.")
          .atLeast(0);

  /** Every key at its default. */
  public static final WorkerSettings DEFAULT =
      new WorkerSettings(null, null, null, null, null, null, null, null, null, null, null, null);

  public WorkerSettings {
    groupId = GROUP_ID.value(groupId);
    maxInFlightPerLane = MAX_IN_FLIGHT_PER_LANE.value(maxInFlightPerLane);
    maxConnections = MAX_CONNECTIONS.value(maxConnections);
    shutdownGraceMs = SHUTDOWN_GRACE_MS.value(shutdownGraceMs);
    transactionalIdPrefix = TRANSACTIONAL_ID_PREFIX.value(transactionalIdPrefix);
    healthPublishIntervalMs = HEALTH_PUBLISH_INTERVAL_MS.value(healthPublishIntervalMs);
    transactionIntervalMs = TRANSACTION_INTERVAL_MS.value(transactionIntervalMs);
    httpVersion = HTTP_VERSION.value(httpVersion);
    maxConnectionsPerHost =
        maxConnectionsPerHost == null
            ? maxConnections
            : MAX_CONNECTIONS_PER_HOST.value(maxConnectionsPerHost);
    maxStreamsPerConnection = MAX_STREAMS_PER_CONNECTION.value(maxStreamsPerConnection);
    learnLimits = LEARN_LIMITS.value(learnLimits);
    batchReadAhead = BATCH_READ_AHEAD.value(batchReadAhead);
  }
}
