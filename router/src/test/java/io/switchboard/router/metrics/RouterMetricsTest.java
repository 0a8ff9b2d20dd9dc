package io.switchboard.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RouterMetricsTest {
  static final SwitchboardConfig CONFIG =
      new ConfigLoader(k -> null)
          .parse(
              """
      model_list:
        - {model_name: chat, deployment_id: chat-a, weight: 70}
        - {model_name: chat, deployment_id: chat-b, weight: 30}
      """,
              "test");

  static Dispatch dispatch(String deployment, int hop) {
    Instant at = Instant.parse("2026-11-22T10:00:00Z");
    RouteRequest r =
        new RouteRequest(
            "r",
            "chat",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            Json.mapper().createObjectNode());
    return new Dispatch(
        r, deployment, "chat", hop, 0, null, null, null, null, null, at, at.plusMillis(3));
  }

  @Test
  void everyMeterIsRegisteredAtBindingAndCountsDecisions() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RouterMetrics metrics = new RouterMetrics(CONFIG);
    metrics.routed(dispatch("chat-a", 0), true, false);
    metrics.bindTo(registry);
    for (RouterMeter meter : RouterMeter.values()) {
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
    metrics.routed(dispatch("chat-a", 0), true, false);
    metrics.routed(dispatch("chat-a", 0), false, false);
    metrics.routed(dispatch("chat-b", 1), true, false);
    metrics.routed(dispatch("chat-b", 0), true, true);
    metrics.rejected(ErrorCode.UNKNOWN_MODEL);
    assertThat(
            registry
                .get(RouterMeter.ROUTED.meterName())
                .tags("deployment", "chat-a", "model", "chat")
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(
            registry
                .get(RouterMeter.FALLBACKS.meterName())
                .tags("deployment", "chat-b")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get(RouterMeter.REROUTES.meterName())
                .tags("deployment", "chat-b")
                .counter()
                .count())
        .as("a re-route within the set is neither a first route nor a fallback")
        .isEqualTo(1);
    assertThat(
            registry
                .get(RouterMeter.ROUTED.meterName())
                .tags("deployment", "chat-b")
                .counter()
                .count())
        .isZero();
    assertThat(
            registry
                .get(RouterMeter.OVER_BUDGET.meterName())
                .tags("deployment", "chat-a")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get(RouterMeter.OVER_BUDGET.meterName())
                .tags("deployment", "chat-b")
                .counter()
                .count())
        .isZero();
    assertThat(
            registry
                .get(RouterMeter.REJECTED.meterName())
                .tags("outcome", "unknown_model")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(registry.get(RouterMeter.REJECTED.meterName()).counters())
        .hasSize(ErrorCode.values().length);
    assertThat(
            registry
                .get(RouterMeter.ROUTING_DELAY.meterName())
                .tags("model", "chat")
                .timer()
                .count())
        .isEqualTo(4);
    assertThat(
            registry
                .get(RouterMeter.EXPECTED_SHARE.meterName())
                .tags("deployment", "chat-a", "model", "chat")
                .gauge()
                .value())
        .isCloseTo(0.7, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(Arrays.stream(RouterMeter.values()).map(RouterMeter::meterName).distinct())
        .hasSize(RouterMeter.values().length);
  }
}
