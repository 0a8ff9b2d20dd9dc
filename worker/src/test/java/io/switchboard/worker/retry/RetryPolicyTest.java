package io.switchboard.worker.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.config.BackoffConfig;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.RetryPolicyConfig;
import io.switchboard.schemas.config.RouterSettings;
import io.switchboard.schemas.json.Json;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  private static final BackoffConfig BACKOFF = new BackoffConfig(100L, 5_000L, 2.0);
  private final RetryPolicy policy =
      new RetryPolicy(Clock.fixed(NOW, ZoneOffset.UTC), new SplittableRandom(11));

  @Test
  void transientFailuresAreRetriedWithABackoffDelay() {
    RetryDecision decision = policy.decide(Responses.status(503), 1, 3, BACKOFF, null);
    assertThat(decision.outcome()).isEqualTo(Outcome.RETRY);
    assertThat(decision.delay()).isBetween(Duration.ZERO, Duration.ofMillis(200));
  }

  @Test
  void retryAfterIsHonoured() {
    RetryDecision decision =
        policy.decide(Responses.status(429, Map.of("retry-after", "3")), 0, 3, BACKOFF, null);
    assertThat(decision).isEqualTo(new RetryDecision(Outcome.RETRY, Duration.ofSeconds(3), null));
  }

  @Test
  void aServerDelayBeyondTheBackoffMaxFallsBackAtOnce() {
    RetryDecision decision =
        policy.decide(Responses.status(429, Map.of("retry-after", "60")), 0, 3, BACKOFF, null);
    assertThat(decision.outcome()).isEqualTo(Outcome.FALLBACK);
    assertThat(decision.delay()).isZero();
    assertThat(decision.reason()).contains("60000 ms").contains("max_ms 5000");
  }

  @Test
  void aRetryThatWouldStartAfterTheDeadlineIsNotScheduled() {
    RetryDecision decision =
        policy.decide(
            Responses.status(429, Map.of("retry-after", "2")), 0, 3, BACKOFF, NOW.plusSeconds(1));
    assertThat(decision.outcome()).isEqualTo(Outcome.FALLBACK);
    assertThat(decision.reason()).contains("deadline");
    assertThat(
            policy
                .decide(
                    Responses.status(429, Map.of("retry-after", "2")),
                    0,
                    3,
                    BACKOFF,
                    NOW.plusSeconds(3))
                .outcome())
        .isEqualTo(Outcome.RETRY);
  }

  @Test
  void usedUpRetriesFallBackWithAReason() {
    RetryDecision decision = policy.decide(Responses.status(500), 3, 3, BACKOFF, null);
    assertThat(decision.outcome()).isEqualTo(Outcome.FALLBACK);
    assertThat(decision.reason()).contains("retries used up");
  }

  @Test
  void finalOutcomesPassThrough() {
    assertThat(policy.decide(Responses.completion(), 0, 3, BACKOFF, null))
        .isEqualTo(new RetryDecision(Outcome.SUCCESS, Duration.ZERO, null));
    assertThat(policy.decide(Responses.status(422), 0, 3, BACKOFF, null).outcome())
        .isEqualTo(Outcome.FAIL);
    assertThat(policy.decide(Responses.status(401), 0, 3, BACKOFF, null).outcome())
        .isEqualTo(Outcome.FALLBACK);
  }

  @Test
  void theDeploymentsMaxRetriesBoundTheRetriesNotNumRetries() {
    // num_retries bounds the router's re-routes within the candidate set, not the worker's retries.
    RouterSettings settings = new RouterSettings(null, null, 4, null, null, null, null);
    assertThat(RetryBudget.of(deployment(null), settings).maxRetries())
        .as("max_retries' default")
        .isEqualTo(2);
    assertThat(RetryBudget.of(deployment(1), settings).maxRetries()).isEqualTo(1);
    assertThat(RetryBudget.of(deployment(0), RouterSettings.DEFAULT).maxRetries()).isZero();
    assertThatThrownBy(() -> RetryBudget.defaults(-1)).hasMessageContaining("-1");
  }

  @Test
  void theBudgetsRetriesDecideWhetherToRetry() {
    RetryBudget noRateLimitRetries =
        new RetryBudget(3, null, new RetryPolicyConfig(0, null, null, null, null, null, null));
    RetryDecision decision =
        policy.decide(Responses.status(429), 0, noRateLimitRetries, false, BACKOFF, null);
    assertThat(decision.outcome()).isEqualTo(Outcome.FALLBACK);
    assertThat(decision.reason()).isEqualTo("retries used up (0)");
    assertThat(
            policy
                .decide(Responses.status(503), 0, noRateLimitRetries, false, BACKOFF, null)
                .outcome())
        .isEqualTo(Outcome.RETRY);
  }

  @Test
  void onlyRetriesCarryADelay() {
    assertThatThrownBy(() -> new RetryDecision(Outcome.FALLBACK, Duration.ofSeconds(1), null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static DeploymentConfig deployment(Integer maxRetries) {
    ObjectNode none = Json.mapper().createObjectNode();
    return new DeploymentConfig(
        "m",
        "d1",
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        maxRetries,
        null,
        null,
        none,
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
        null,
        null,
        null);
  }
}
