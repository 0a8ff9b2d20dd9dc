package io.switchboard.worker;

import static io.switchboard.worker.WorkerHarness.dispatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.MockProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Between cooldowns, a worker publishes the recent error rate and latency of the deployments it
 * calls on the health topic (what dynamic weights scale by), and nothing for deployments it did not
 * call.
 */
class WorkerHealthReportIT {
  @Test
  @Timeout(120)
  void errorRateAndLatencyOfCalledDeploymentsArePublishedWithoutACooldown() throws Exception {
    try (KafkaBroker broker = KafkaBrokers.start();
        MockProvider mock = MockProvider.start()) {
      mock.behave("flaky", Behavior.ok().withLatencyMs(20).withErrors(0.5, 500));
      mock.behave("idle", Behavior.ok());
      String yaml =
          """
          model_list:
            - {model_name: flaky, api_base: "%1$s/d/flaky/v1", max_retries: 0}
            - {model_name: idle, api_base: "%1$s/d/idle/v1"}
          router_settings: {allowed_fails: 1000}
          worker_settings: {group_id: report-workers, shutdown_grace_ms: 5000, health_publish_interval_ms: 300}
          """
              .formatted(mock.baseUrl());
      try (WorkerHarness h = new WorkerHarness(broker, "report", yaml, Map.of());
          TopicTap tap = new TopicTap(broker.bootstrapServers(), h.outputTopics());
          Worker worker = new Worker(h.config, Clock.systemUTC(), k -> null)) {
        worker.start();
        for (int i = 0; i < 40; i++) {
          h.send(dispatch("flaky-" + i, "flaky"));
        }
        String health = h.topics.health().name();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    mock.calls("flaky").size() == 40
                        && tap.values(health, "flaky", DeploymentHealth.class).stream()
                            .anyMatch(r -> r.errorRate() > 0.2));
        List<DeploymentHealth> reports = tap.values(health, "flaky", DeploymentHealth.class);
        DeploymentHealth last = reports.get(reports.size() - 1);
        assertThat(last.cooldownUntil()).as("no cooldown: allowed_fails is not reached").isNull();
        assertThat(last.errorRate()).isBetween(0.2, 0.8);
        assertThat(last.latencyEwmaMs()).isPositive();
        assertThat(last.workerId()).as("the router keeps one report per worker").isNotBlank();
        assertThat(last.recentCalls()).isPositive();
        assertThat(last.inFlight()).isNotNull();
        assertThat(tap.records(health, "idle"))
            .as("a deployment this worker never called")
            .isEmpty();
      }
    }
  }
}
