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
    Integer recentCalls) {

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

  public boolean coolingDownAt(Instant now) {
    return cooldownUntil != null && now.isBefore(cooldownUntil);
  }
}
