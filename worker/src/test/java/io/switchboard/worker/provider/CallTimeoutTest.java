package io.switchboard.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A call's timeout is the smallest of the deployment's, the request's and the time left to the
 * deadline.
 */
class CallTimeoutTest {
  static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  static final SwitchboardConfig CONFIG =
      new ConfigLoader(k -> null)
          .parse(
              """
      model_list:
        - {model_name: own, timeout_ms: 5000}
        - {model_name: inherits}
      router_settings: {timeout_ms: 8000}
      """,
              "test");

  static Duration timeout(String deployment, Long requestTimeoutMs, Instant deadline) {
    RouteRequest request =
        new RouteRequest(
            "r",
            deployment,
            null,
            null,
            null,
            null,
            null,
            requestTimeoutMs,
            deadline,
            null,
            null,
            null,
            Json.mapper().createObjectNode());
    return ProviderCall.timeout(
        CONFIG.deployment(deployment).orElseThrow(),
        CONFIG.routerSettings().timeoutMs(),
        request,
        NOW);
  }

  @Test
  void theDeploymentsTimeoutAppliesAloneAndFallsBackToTheRouters() {
    assertThat(timeout("own", null, null)).isEqualTo(Duration.ofMillis(5000));
    assertThat(timeout("inherits", null, null)).isEqualTo(Duration.ofMillis(8000));
  }

  @Test
  void theRequestsTimeoutWinsWhenSmallerAndOnlyThen() {
    assertThat(timeout("own", 1200L, null)).isEqualTo(Duration.ofMillis(1200));
    assertThat(timeout("own", 9000L, null))
        .as("a request cannot stretch a deployment's timeout")
        .isEqualTo(Duration.ofMillis(5000));
    assertThat(timeout("inherits", 7999L, null)).isEqualTo(Duration.ofMillis(7999));
  }

  @Test
  void theTimeLeftToTheDeadlineWinsWhenSmallest() {
    assertThat(timeout("own", 1200L, NOW.plusMillis(700))).isEqualTo(Duration.ofMillis(700));
    assertThat(timeout("own", 300L, NOW.plusMillis(700))).isEqualTo(Duration.ofMillis(300));
    assertThat(timeout("own", null, NOW.plusSeconds(60))).isEqualTo(Duration.ofMillis(5000));
    assertThat(timeout("own", null, NOW.minusSeconds(1)))
        .as("never zero or negative")
        .isEqualTo(Duration.ofMillis(1));
  }
}
