package io.switchboard.schemas;

import java.time.Instant;
import java.util.Objects;

/**
 * The health of one deployment, on the compacted health topic (key: deployment id).
 * Shape: {@code schemas/deployment-health.schema.json}.
 *
 * @param deploymentId the deployment
 * @param cooldownUntil no new traffic before this instant; null when not cooling down
 * @param reason why the cooldown started (e.g. "3 failures within 60s", "HTTP 401")
 * @param recentFailures failures counted in the current one-minute window
 * @param errorRate errors / calls over the recent window, 0..1
 * @param latencyEwmaMs exponentially weighted moving average of call latency
 * @param updatedAt when this state was published
 */
public record DeploymentHealth(
    String deploymentId,
    Instant cooldownUntil,
    String reason,
    int recentFailures,
    double errorRate,
    double latencyEwmaMs,
    Instant updatedAt) {

  public DeploymentHealth {
    Objects.requireNonNull(deploymentId, "deployment_id");
    Objects.requireNonNull(updatedAt, "updated_at");
  }

  public boolean coolingDownAt(Instant now) {
    return cooldownUntil != null && now.isBefore(cooldownUntil);
  }
}
