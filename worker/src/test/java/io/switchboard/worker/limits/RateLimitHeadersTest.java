package io.switchboard.worker.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.worker.provider.ProviderResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitHeadersTest {
  private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

  private static ProviderResponse answer(int status, Map<String, String> headers) {
    return ProviderResponse.http(status, headers, null, null, Duration.ofMillis(5));
  }

  @Test
  void openAiHeadersGiveLimitsRemainingAndGoDurationResets() {
    RateLimitHeaders h =
        RateLimitHeaders.of(
            answer(
                200,
                Map.of(
                    "X-RateLimit-Limit-Requests", "500",
                    "x-ratelimit-remaining-requests", "499",
                    "x-ratelimit-reset-requests", "120ms",
                    "x-ratelimit-limit-tokens", "30000",
                    "x-ratelimit-remaining-tokens", "29000",
                    "x-ratelimit-reset-tokens", "6m0s")),
            NOW);
    assertThat(h)
        .isEqualTo(
            new RateLimitHeaders(
                500, 499, Duration.ofMillis(120), 30_000, 29_000, Duration.ofMinutes(6)));
    assertThat(h.hasLimit()).isTrue();
    assertThat(
            RateLimitHeaders.of(answer(429, Map.of("x-ratelimit-reset-requests", "1s")), NOW)
                .requestsReset())
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void azureSendsOnlyRemainingCounts() {
    RateLimitHeaders h =
        RateLimitHeaders.of(
            answer(
                200,
                Map.of(
                    "x-ratelimit-remaining-requests", "17", "x-ratelimit-remaining-tokens", "900")),
            NOW);
    assertThat(h).isEqualTo(new RateLimitHeaders(null, 17, null, null, 900, null));
    assertThat(h.hasLimit()).isFalse();
  }

  @Test
  void anthropicHeadersGiveRfc3339Resets() {
    RateLimitHeaders h =
        RateLimitHeaders.of(
            answer(
                200,
                Map.of(
                    "anthropic-ratelimit-requests-limit", "50",
                    "anthropic-ratelimit-requests-remaining", "0",
                    "anthropic-ratelimit-requests-reset", "2026-11-22T10:00:12Z",
                    "anthropic-ratelimit-tokens-limit", "40000",
                    "anthropic-ratelimit-tokens-remaining", "39000",
                    "anthropic-ratelimit-tokens-reset", "2026-11-22T10:00:00.500+00:00")),
            NOW);
    assertThat(h)
        .isEqualTo(
            new RateLimitHeaders(
                50, 0, Duration.ofSeconds(12), 40_000, 39_000, Duration.ofMillis(500)));
    assertThat(
            RateLimitHeaders.of(
                    answer(
                        429,
                        Map.of(
                            "anthropic-ratelimit-requests-remaining",
                            "0",
                            "anthropic-ratelimit-requests-reset",
                            "2026-11-22T09:59:00Z")),
                    NOW)
                .requestsReset())
        .as("a reset in the past is now")
        .isEqualTo(Duration.ZERO);
  }

  @Test
  void unparseableNegativeAndZeroLimitsAreLeftOut() {
    RateLimitHeaders h =
        RateLimitHeaders.of(
            answer(
                200,
                Map.of(
                    "x-ratelimit-limit-requests", "0",
                    "x-ratelimit-remaining-requests", "-3",
                    "x-ratelimit-reset-requests", "soon",
                    "x-ratelimit-limit-tokens", "lots")),
            NOW);
    assertThat(h).isEqualTo(RateLimitHeaders.NONE);
    assertThat(
            RateLimitHeaders.of(
                answer(
                    200,
                    Map.of(
                        "anthropic-ratelimit-requests-limit",
                        "9",
                        "anthropic-ratelimit-requests-reset",
                        "tomorrow")),
                NOW))
        .isEqualTo(new RateLimitHeaders(9, null, null, null, null, null));
    assertThat(RateLimitHeaders.of(answer(200, Map.of()), NOW)).isEqualTo(RateLimitHeaders.NONE);
  }
}
