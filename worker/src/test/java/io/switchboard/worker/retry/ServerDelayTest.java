package io.switchboard.worker.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerDelayTest {
  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

  @Test
  void retryAfterSecondsAndHttpDate() {
    assertThat(ServerDelay.of(Responses.status(429, Map.of("Retry-After", "7")), NOW))
        .contains(Duration.ofSeconds(7));
    assertThat(ServerDelay.of(Responses.status(503, Map.of("retry-after", "0.25")), NOW))
        .contains(Duration.ofMillis(250));
    assertThat(
            ServerDelay.of(
                Responses.status(429, Map.of("Retry-After", "Sun, 01 Mar 2026 10:00:30 GMT")), NOW))
        .contains(Duration.ofSeconds(30));
    assertThat(
            ServerDelay.of(
                Responses.status(429, Map.of("Retry-After", "Sun, 01 Mar 2026 09:00:00 GMT")), NOW))
        .contains(Duration.ZERO);
  }

  @Test
  void retryAfterMsWinsOverRetryAfter() {
    assertThat(
            ServerDelay.of(
                Responses.status(429, Map.of("retry-after-ms", "1500", "retry-after", "9")), NOW))
        .contains(Duration.ofMillis(1500));
  }

  @Test
  void openAiResetHeadersCountOnlyOnA429AndTheLargerWins() {
    Map<String, String> headers =
        Map.of("x-ratelimit-reset-requests", "1s", "x-ratelimit-reset-tokens", "6m0s");
    assertThat(ServerDelay.of(Responses.status(429, headers), NOW)).contains(Duration.ofMinutes(6));
    assertThat(ServerDelay.of(Responses.status(500, headers), NOW)).isEmpty();
    assertThat(
            ServerDelay.of(Responses.status(429, Map.of("x-ratelimit-reset-tokens", "20ms")), NOW))
        .contains(Duration.ofMillis(20));
  }

  @Test
  void goDurationsParse() {
    assertThat(ServerDelay.parseResetDuration("1h2m3.5s")).contains(Duration.ofMillis(3_723_500));
    assertThat(ServerDelay.parseResetDuration("250us")).contains(Duration.ofNanos(250_000));
    assertThat(ServerDelay.parseResetDuration("0s")).contains(Duration.ZERO);
    assertThat(ServerDelay.parseResetDuration("soon")).isEmpty();
    assertThat(ServerDelay.parseResetDuration("5s later")).isEmpty();
    assertThat(ServerDelay.parseResetDuration("")).isEmpty();
  }

  @Test
  void garbageAndNegativeValuesAreIgnored() {
    assertThat(ServerDelay.of(Responses.status(429, Map.of("retry-after", "tomorrow")), NOW))
        .isEmpty();
    assertThat(ServerDelay.of(Responses.status(429, Map.of("retry-after", "-3")), NOW)).isEmpty();
    assertThat(ServerDelay.of(Responses.status(429, Map.of("retry-after-ms", "NaN")), NOW))
        .isEmpty();
    assertThat(ServerDelay.of(Responses.status(429), NOW)).isEmpty();
  }
}
