package io.switchboard.schemas;

import java.time.Instant;
import java.util.Objects;

/**
 * The health of one deployment as one worker sees it, on the compacted health topic (key:
 * deployment id). Shape: {@code schemas/deployment-health.schema.json}.
 *
 * <p>Several workers report on one deployment; the router keeps the latest report of each worker
 * and merges them, so the topic's compaction (one record per deployment) loses nothing the router
 * needs: every live worker reports again within its publish interval.
 *
 * @param deploymentId the deployment
 * @param cooldownUntil no new traffic before this instant; null when not cooling down
 * @param reason why the cooldown started (e.g. "3 failures within 60s", "HTTP 401")
 * @param recentFailures failures counted in the current one-minute window
 * @param errorRate errors / calls over the recent window, 0..1
 * @param latencyEwmaMs exponentially weighted moving average of call latency; 0 when none measured
 * @param updatedAt when this state was published
 * @param workerId the reporting worker, stable for its lifetime; null in reports of workers that
 *     predate it (the router then treats them as one worker)
 * @param inFlight dispatches of the deployment the worker holds unfinished (queued on a lane, at
 *     the provider, or waiting to retry); null when not reported
 * @param recentCalls provider calls the worker made to the deployment within the last minute, what
 *     its error rate and latency are measured over; null when not reported
 * @param learnedRpm the requests per minute the worker learned the provider allows the deployment
 *     (from its rate-limit headers and 429s), as of {@code updatedAt}; null when it learned none
 * @param learnedTpm the same for tokens per minute
 * @param learnedAt when the provider last taught it (a rate-limit header or a 429): of several
 *     reports, the one with the latest {@code learnedAt} holds the newest knowledge; null when
 *     nothing was learned
 */
public record DeploymentHealth(
    String deploymentId,
    Instant cooldownUntil,
    String reason,
    int recentFailures,
    double errorRate,
    double latencyEwmaMs,
    Instant updatedAt,
    String workerId,
    Integer inFlight,
    Integer recentCalls,
    Integer learnedRpm,
    Integer learnedTpm,
    Instant learnedAt) {

  public DeploymentHealth {
    Objects.requireNonNull(deploymentId, "deployment_id");
    Objects.requireNonNull(updatedAt, "updated_at");
    if (inFlight != null && inFlight < 0) {
      throw new IllegalArgumentException(
          "in_flight of '" + deploymentId + "' must be >= 0, was " + inFlight);
    }
    if (recentCalls != null && recentCalls < 0) {
      throw new IllegalArgumentException(
          "recent_calls of '" + deploymentId + "' must be >= 0, was " + recentCalls);
    }
    if (learnedRpm != null && learnedRpm < 1 || learnedTpm != null && learnedTpm < 1) {
      throw new IllegalArgumentException(
          "learned_rpm and learned_tpm of '"
              + deploymentId
              + "' must be >= 1 when set, were "
              + learnedRpm
              + " and "
              + learnedTpm);
    }
  }

  /** A report without learned limits. */
  public DeploymentHealth(
      String deploymentId,
      Instant cooldownUntil,
      String reason,
      int recentFailures,
      double errorRate,
      double latencyEwmaMs,
      Instant updatedAt,
      String workerId,
      Integer inFlight,
      Integer recentCalls) {
    this(
        deploymentId,
        cooldownUntil,
        reason,
        recentFailures,
        errorRate,
        latencyEwmaMs,
        updatedAt,
        workerId,
        inFlight,
        recentCalls,
        null,
        null,
        null);
  }

  /**
   * A report without worker id, in-flight count or call count (as published before they existed).
   */
  public DeploymentHealth(
      String deploymentId,
      Instant cooldownUntil,
      String reason,
      int recentFailures,
      double errorRate,
      double latencyEwmaMs,
      Instant updatedAt) {
    this(
        deploymentId,
        cooldownUntil,
        reason,
        recentFailures,
        errorRate,
        latencyEwmaMs,
        updatedAt,
        null,
        null,
        null);
  }

  /** This report with the given learned limits in place of its own. */
  public DeploymentHealth withLearned(Integer rpm, Integer tpm, Instant at) {
    return new DeploymentHealth(
        deploymentId,
        cooldownUntil,
        reason,
        recentFailures,
        errorRate,
        latencyEwmaMs,
        updatedAt,
        workerId,
        inFlight,
        recentCalls,
        rpm,
        tpm,
        at);
  }

  public boolean coolingDownAt(Instant now) {
    return cooldownUntil != null && now.isBefore(cooldownUntil);
  }
}
