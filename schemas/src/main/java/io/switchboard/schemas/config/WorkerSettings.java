package io.switchboard.schemas.config;

/**
 * {@code worker_settings}.
 *
 * @param groupId consumer group of the workers (default {@code switchboard-worker})
 * @param maxInFlightPerLane in-flight calls per dispatch partition before it is paused (default 1000)
 * @param maxConnections HTTP connections per worker (default 2000)
 * @param shutdownGraceMs how long a stopping worker waits for in-flight calls, and how long a
 *     rebalance waits for those of the partitions it revokes (default 30000; keep it below the
 *     consumer's {@code max.poll.interval.ms})
 * @param transactionalIdPrefix prefix of the workers' transactional ids (default {@code switchboard-worker})
 * @param healthPublishIntervalMs how often a worker publishes the recent error rate and latency of
 *     each deployment it called in the last minute on the health topic, for dynamic weights and
 *     operators (default 10000; 0 publishes only when a cooldown starts)
 * @param transactionIntervalMs the least time between two of a worker's transactions (default 0:
 *     a transaction on every loop that finished something). Larger values put more replies in
 *     each transaction, so the broker writes fewer transaction markers per reply, and add up to
 *     this much to each reply's latency.
 */
public record WorkerSettings(
    String groupId,
    Integer maxInFlightPerLane,
    Integer maxConnections,
    Long shutdownGraceMs,
    String transactionalIdPrefix,
    Long healthPublishIntervalMs,
    Long transactionIntervalMs) {

  public static final WorkerSettings DEFAULT = new WorkerSettings(null, null, null, null, null, null, null);

  public WorkerSettings {
    groupId = groupId == null ? "switchboard-worker" : groupId;
    maxInFlightPerLane = maxInFlightPerLane == null ? 1000 : maxInFlightPerLane;
    maxConnections = maxConnections == null ? 2000 : maxConnections;
    shutdownGraceMs = shutdownGraceMs == null ? 30_000L : shutdownGraceMs;
    transactionalIdPrefix = transactionalIdPrefix == null ? "switchboard-worker" : transactionalIdPrefix;
    healthPublishIntervalMs = healthPublishIntervalMs == null ? 10_000L : healthPublishIntervalMs;
    if (healthPublishIntervalMs < 0) {
      throw new IllegalArgumentException("worker_settings.health_publish_interval_ms must be 0 or more, was "
          + healthPublishIntervalMs);
    }
    transactionIntervalMs = transactionIntervalMs == null ? 0L : transactionIntervalMs;
    if (transactionIntervalMs < 0) {
      throw new IllegalArgumentException("worker_settings.transaction_interval_ms must be 0 or more, was "
          + transactionIntervalMs);
    }
  }
}
