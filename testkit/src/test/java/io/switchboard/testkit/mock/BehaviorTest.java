package io.switchboard.testkit.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class BehaviorTest {
  @Test
  void invalidSettingsAreRejectedNamingTheField() {
    assertThatThrownBy(() -> Behavior.ok().withErrors(1.5, 500)).hasMessageContaining("errorRate");
    assertThatThrownBy(() -> Behavior.ok().withErrors(0.1, 200))
        .hasMessageContaining("errorStatus");
    assertThatThrownBy(() -> Behavior.ok().withRpm(-1)).hasMessageContaining("rpm");
    assertThatThrownBy(() -> Behavior.ok().withStatus(302)).hasMessageContaining("faultStatus");
    assertThatThrownBy(() -> Behavior.ok().withRetryAfter(Duration.ofSeconds(-1)))
        .hasMessageContaining("retryAfter");
    assertThatThrownBy(() -> Behavior.ok().withRequiredKey(" "))
        .hasMessageContaining("requiredKey");
    assertThatThrownBy(() -> Latency.uniform(10, 5)).hasMessageContaining("minMillis");
    assertThatThrownBy(() -> Latency.logNormal(100, 50)).hasMessageContaining("p99");
    assertThatThrownBy(() -> MockProviderOptions.defaults().withPort(70000))
        .hasMessageContaining("port");
  }

  @Test
  void withersChangeOneSettingAndKeepTheRest() {
    Behavior b = Behavior.ok().withLatencyMs(5).withRpm(10).withRequiredKey("k");
    assertThat(b.latency()).isEqualTo(Latency.fixed(5));
    assertThat(b.rpm()).isEqualTo(10);
    assertThat(b.requiredKey()).isEqualTo("k");
    assertThat(b.withFault(Fault.HANG).rpm()).isEqualTo(10);
    assertThat(b.withStatus(429).fault()).isEqualTo(Fault.STATUS);
    assertThat(b.toString()).contains("requiredKey=<set>").doesNotContain("=k");
  }

  @Test
  void everyWitherChangesItsOwnSettingsAndKeepsTheOthers() {
    Behavior base =
        new Behavior(
            Latency.fixed(7),
            0.25,
            503,
            0.5,
            3,
            Duration.ofMillis(1500),
            60,
            4096,
            Fault.NONE,
            500,
            "key");
    assertThat(base.withLatency(Latency.fixed(9)))
        .isEqualTo(
            new Behavior(
                Latency.fixed(9),
                0.25,
                503,
                0.5,
                3,
                Duration.ofMillis(1500),
                60,
                4096,
                Fault.NONE,
                500,
                "key"));
    assertThat(base.withErrors(0.75, 529))
        .isEqualTo(
            new Behavior(
                Latency.fixed(7),
                0.75,
                529,
                0.5,
                3,
                Duration.ofMillis(1500),
                60,
                4096,
                Fault.NONE,
                500,
                "key"));
    assertThat(base.withRateLimitProbability(0.125))
        .isEqualTo(
            new Behavior(
                Latency.fixed(7),
                0.25,
                503,
                0.125,
                3,
                Duration.ofMillis(1500),
                60,
                4096,
                Fault.NONE,
                500,
                "key"));
    assertThat(base.withRateLimitEvery(11))
        .isEqualTo(
            new Behavior(
                Latency.fixed(7),
                0.25,
                503,
                0.5,
                11,
                Duration.ofMillis(1500),
                60,
                4096,
                Fault.NONE,
                500,
                "key"));
    assertThat(base.withRetryAfter(Duration.ofMillis(20)))
        .isEqualTo(
            new Behavior(
                Latency.fixed(7),
                0.25,
                503,
                0.5,
                3,
                Duration.ofMillis(20),
                60,
                4096,
                Fault.NONE,
                500,
                "key"));
    assertThat(base.withRpm(120))
        .isEqualTo(
            new Behavior(
                Latency.fixed(7),
                0.25,
                503,
                0.5,
                3,
                Duration.ofMillis(1500),
                120,
                4096,
                Fault.NONE,
                500,
                "key"));
    assertThat(base.withContextWindow(8192))
        .isEqualTo(
            new Behavior(
                Latency.fixed(7),
                0.25,
                503,
                0.5,
                3,
                Duration.ofMillis(1500),
                60,
                8192,
                Fault.NONE,
                500,
                "key"));
    assertThat(base.withFault(Fault.RESET))
        .isEqualTo(
            new Behavior(
                Latency.fixed(7),
                0.25,
                503,
                0.5,
                3,
                Duration.ofMillis(1500),
                60,
                4096,
                Fault.RESET,
                500,
                "key"));
    assertThat(base.withStatus(418))
        .isEqualTo(
            new Behavior(
                Latency.fixed(7),
                0.25,
                503,
                0.5,
                3,
                Duration.ofMillis(1500),
                60,
                4096,
                Fault.STATUS,
                418,
                "key"));
    assertThat(base.withRequiredKey(null))
        .isEqualTo(
            new Behavior(
                Latency.fixed(7),
                0.25,
                503,
                0.5,
                3,
                Duration.ofMillis(1500),
                60,
                4096,
                Fault.NONE,
                500,
                null));
  }

  @Test
  void everyOptionsWitherChangesItsOwnSettingAndKeepsTheOthers() {
    Clock clock = Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC);
    Behavior slow = Behavior.ok().withLatencyMs(10);
    MockProviderOptions base =
        new MockProviderOptions(
            "127.0.0.1",
            9000,
            Behavior.ok(),
            1,
            2,
            Clock.systemUTC(),
            100,
            Duration.ofSeconds(5),
            false);
    assertThat(base.withHost("0.0.0.0"))
        .isEqualTo(
            new MockProviderOptions(
                "0.0.0.0",
                9000,
                Behavior.ok(),
                1,
                2,
                Clock.systemUTC(),
                100,
                Duration.ofSeconds(5),
                false));
    assertThat(base.withPort(9001))
        .isEqualTo(
            new MockProviderOptions(
                "127.0.0.1",
                9001,
                Behavior.ok(),
                1,
                2,
                Clock.systemUTC(),
                100,
                Duration.ofSeconds(5),
                false));
    assertThat(base.withDefaultBehavior(slow))
        .isEqualTo(
            new MockProviderOptions(
                "127.0.0.1",
                9000,
                slow,
                1,
                2,
                Clock.systemUTC(),
                100,
                Duration.ofSeconds(5),
                false));
    assertThat(base.withSeed(7))
        .isEqualTo(
            new MockProviderOptions(
                "127.0.0.1",
                9000,
                Behavior.ok(),
                7,
                2,
                Clock.systemUTC(),
                100,
                Duration.ofSeconds(5),
                false));
    assertThat(base.withIoThreads(3))
        .isEqualTo(
            new MockProviderOptions(
                "127.0.0.1",
                9000,
                Behavior.ok(),
                1,
                3,
                Clock.systemUTC(),
                100,
                Duration.ofSeconds(5),
                false));
    assertThat(base.withClock(clock))
        .isEqualTo(
            new MockProviderOptions(
                "127.0.0.1", 9000, Behavior.ok(), 1, 2, clock, 100, Duration.ofSeconds(5), false));
    assertThat(base.withMaxBodyBytes(200))
        .isEqualTo(
            new MockProviderOptions(
                "127.0.0.1",
                9000,
                Behavior.ok(),
                1,
                2,
                Clock.systemUTC(),
                200,
                Duration.ofSeconds(5),
                false));
    assertThat(base.withIdleTimeout(Duration.ofSeconds(6)))
        .isEqualTo(
            new MockProviderOptions(
                "127.0.0.1",
                9000,
                Behavior.ok(),
                1,
                2,
                Clock.systemUTC(),
                100,
                Duration.ofSeconds(6),
                false));
    assertThat(base.withHttp2(true))
        .isEqualTo(
            new MockProviderOptions(
                "127.0.0.1",
                9000,
                Behavior.ok(),
                1,
                2,
                Clock.systemUTC(),
                100,
                Duration.ofSeconds(5),
                true));
  }

  @Test
  void resetFormatFollowsOpenAi() {
    assertThat(ProviderApi.resetFormat(20)).isEqualTo("20ms");
    assertThat(ProviderApi.resetFormat(1000)).isEqualTo("1s");
    assertThat(ProviderApi.resetFormat(1500)).isEqualTo("1.5s");
    assertThat(ProviderApi.resetFormat(360_000)).isEqualTo("6m0s");
    assertThat(ProviderApi.retryAfterSeconds(1)).isEqualTo(1);
    assertThat(ProviderApi.retryAfterSeconds(1000)).isEqualTo(1);
    assertThat(ProviderApi.retryAfterSeconds(1001)).isEqualTo(2);
  }
}
