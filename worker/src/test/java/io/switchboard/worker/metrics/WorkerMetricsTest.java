package io.switchboard.worker.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkerMetricsTest {
  static final SwitchboardConfig CONFIG =
      new ConfigLoader(k -> null)
          .parse(
              """
      model_list:
        - {model_name: chat, deployment_id: chat-a, provider: openai_compatible}
        - {model_name: chat, deployment_id: chat-b, provider: openai_compatible}
        - {model_name: bulk, deployment_id: bulk-a, provider: openai_compatible, batch_api: openai}
      """,
              "test");

  static AttemptEvent attempt(
      String deployment, Outcome outcome, long latencyMs, Integer in, Integer out, Double cost) {
    return new AttemptEvent(
        null,
        "r",
        deployment,
        "chat",
        "m",
        "openai_compatible",
        outcome,
        200,
        latencyMs,
        in,
        out,
        cost,
        0,
        null,
        Instant.EPOCH);
  }

  @Test
  void attemptEventsFeedCallsLatencyTokensAndCost() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicInteger inFlight = new AtomicInteger(7);
    WorkerMetrics metrics = new WorkerMetrics(CONFIG, inFlight::get, () -> 2);
    metrics.bindTo(registry);
    for (WorkerMeter meter : WorkerMeter.values()) {
      assertThat(registry.find(meter.meterName()).meters()).as(meter.name()).isNotEmpty();
      registry
          .find(meter.meterName())
          .meters()
          .forEach(
              m ->
                  assertThat(m.getId().getTags())
                      .extracting(t -> t.getKey())
                      .containsExactlyInAnyOrderElementsOf(meter.tagKeys()));
    }
    metrics.record(attempt("chat-a", Outcome.SUCCESS, 120, 10, 5, 0.5));
    metrics.record(attempt("chat-a", Outcome.SUCCESS, 80, 20, 6, 0.25));
    metrics.record(attempt("chat-a", Outcome.RETRY, 30, null, null, null));
    var tags =
        new String[] {"deployment", "chat-a", "model", "chat", "provider", "openai_compatible"};
    assertThat(
            registry
                .get(WorkerMeter.CALLS.meterName())
                .tags(tags)
                .tag("outcome", "SUCCESS")
                .tag("priority", "default")
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(
            registry
                .get(WorkerMeter.CALLS.meterName())
                .tags(tags)
                .tag("outcome", "RETRY")
                .tag("priority", "default")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get(WorkerMeter.CALL_LATENCY.meterName())
                .tags(tags)
                .tag("outcome", "SUCCESS")
                .tag("priority", "default")
                .timer()
                .totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(200);
    assertThat(registry.get(WorkerMeter.INPUT_TOKENS.meterName()).tags(tags).counter().count())
        .isEqualTo(30);
    assertThat(registry.get(WorkerMeter.OUTPUT_TOKENS.meterName()).tags(tags).counter().count())
        .isEqualTo(11);
    assertThat(registry.get(WorkerMeter.COST.meterName()).tags(tags).counter().count())
        .isCloseTo(0.75, within(1e-12));
    assertThat(registry.get(WorkerMeter.IN_FLIGHT.meterName()).gauge().value()).isEqualTo(7);
    inFlight.set(3);
    assertThat(registry.get(WorkerMeter.IN_FLIGHT.meterName()).gauge().value()).isEqualTo(3);
    assertThat(registry.get(WorkerMeter.PAUSED_LANES.meterName()).gauge().value()).isEqualTo(2);
  }

  @Test
  void offloadJobsAndRequestsAreCountedPerDeploymentFromZero() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    WorkerMetrics metrics = new WorkerMetrics(CONFIG, () -> 0, () -> 0);
    metrics.bindTo(registry);
    String[] bulk = {"deployment", "bulk-a", "model", "bulk", "provider", "openai_compatible"};
    for (WorkerMeter m :
        List.of(
            WorkerMeter.OFFLOAD_JOBS_SUBMITTED,
            WorkerMeter.OFFLOAD_JOBS_COMPLETED,
            WorkerMeter.OFFLOAD_JOBS_FAILED,
            WorkerMeter.OFFLOADED_REQUESTS)) {
      assertThat(registry.get(m.meterName()).tags(bulk).counter().count()).as(m.name()).isZero();
    }
    DeploymentConfig d = CONFIG.deployment("bulk-a").orElseThrow();
    metrics.submitted(d, 2500);
    metrics.submitted(d, 700);
    metrics.ended(d, true);
    metrics.ended(d, false);
    metrics.ended(d, true);
    assertThat(count(registry, WorkerMeter.OFFLOAD_JOBS_SUBMITTED, bulk)).isEqualTo(2);
    assertThat(count(registry, WorkerMeter.OFFLOADED_REQUESTS, bulk)).isEqualTo(3200);
    assertThat(count(registry, WorkerMeter.OFFLOAD_JOBS_COMPLETED, bulk)).isEqualTo(2);
    assertThat(count(registry, WorkerMeter.OFFLOAD_JOBS_FAILED, bulk)).isEqualTo(1);
  }

  private static double count(SimpleMeterRegistry registry, WorkerMeter m, String... tags) {
    return registry.get(m.meterName()).tags(tags).counter().count();
  }

  static AttemptEvent attempt(Priority priority, int retry, long latencyMs, long waitMs) {
    return new AttemptEvent(
        null,
        "r",
        "chat-a",
        "chat",
        "m",
        "openai_compatible",
        Outcome.SUCCESS,
        200,
        latencyMs,
        null,
        null,
        null,
        retry,
        null,
        Instant.EPOCH,
        priority,
        waitMs);
  }

  @Test
  void callsLatencyAndFirstCallWaitsAreCountedByClass() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    WorkerMetrics metrics = new WorkerMetrics(CONFIG, () -> 0, () -> 0);
    metrics.bindTo(registry);
    metrics.record(attempt(Priority.INTERACTIVE, 0, 40, 15));
    metrics.record(attempt(Priority.BATCH, 0, 60, 9_000));
    metrics.record(attempt(Priority.BATCH, 0, 70, 11_000));
    metrics.record(attempt(Priority.BATCH, 1, 80, 30_000));
    var tags =
        new String[] {"deployment", "chat-a", "model", "chat", "provider", "openai_compatible"};
    java.util.function.Function<String, Double> calls =
        p ->
            registry
                .get(WorkerMeter.CALLS.meterName())
                .tags(tags)
                .tag("outcome", "SUCCESS")
                .tag("priority", p)
                .counter()
                .count();
    assertThat(calls.apply("interactive")).isEqualTo(1);
    assertThat(calls.apply("batch")).isEqualTo(3);
    assertThat(calls.apply("default")).isZero();
    assertThat(
            registry
                .get(WorkerMeter.CALL_LATENCY.meterName())
                .tags(tags)
                .tag("outcome", "SUCCESS")
                .tag("priority", "batch")
                .timer()
                .totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(210);
    var batchWait =
        registry.get(WorkerMeter.CALL_WAIT.meterName()).tags(tags).tag("priority", "batch").timer();
    assertThat(batchWait.count()).as("the retry's wait is not a queue wait").isEqualTo(2);
    assertThat(batchWait.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(20_000);
    assertThat(
            registry
                .get(WorkerMeter.CALL_WAIT.meterName())
                .tags(tags)
                .tag("priority", "interactive")
                .timer()
                .totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(15);
  }

  @Test
  void eachDeploymentsCallsLandInItsOwnMetersAlsoWhenTheyInterleave() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    WorkerMetrics metrics = new WorkerMetrics(CONFIG, () -> 0, () -> 0);
    metrics.record(attempt("chat-a", Outcome.SUCCESS, 1, 1, 1, 1.0));
    metrics.bindTo(registry);
    for (int i = 0; i < 3; i++) {
      metrics.record(attempt("chat-a", Outcome.SUCCESS, 10, 2, 3, 0.5));
      metrics.record(attempt("chat-b", Outcome.SUCCESS, 20, 4, 5, 0.25));
    }
    metrics.record(attempt("chat-b", Outcome.FAIL, 30, null, null, null));
    java.util.function.BiFunction<String, String, Double> calls =
        (deployment, outcome) ->
            registry
                .get(WorkerMeter.CALLS.meterName())
                .tag("deployment", deployment)
                .tag("outcome", outcome)
                .tag("priority", "default")
                .counter()
                .count();
    java.util.function.Function<String, Double> inputTokens =
        deployment ->
            registry
                .get(WorkerMeter.INPUT_TOKENS.meterName())
                .tag("deployment", deployment)
                .counter()
                .count();
    assertThat(calls.apply("chat-a", "SUCCESS"))
        .as("the call before binding counts nowhere")
        .isEqualTo(3);
    assertThat(calls.apply("chat-b", "SUCCESS")).isEqualTo(3);
    assertThat(calls.apply("chat-a", "FAIL")).isZero();
    assertThat(calls.apply("chat-b", "FAIL")).isEqualTo(1);
    assertThat(inputTokens.apply("chat-a")).isEqualTo(6);
    assertThat(inputTokens.apply("chat-b")).isEqualTo(12);
    assertThat(
            registry
                .get(WorkerMeter.CALL_LATENCY.meterName())
                .tag("deployment", "chat-b")
                .tag("outcome", "FAIL")
                .timer()
                .totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(30);
  }
}
