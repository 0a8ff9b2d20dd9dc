package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.sandbox.bench.HiddenLimitBench;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A provider that allows half the configured rpm: the workers learn it from the rate-limit headers,
 * so that after a minute fewer than 2% of the calls get a 429 and at least 90% of the real limit is
 * used; when the provider raises the limit, the rate follows within a minute.
 */
class HiddenLimitIT {
  @Test
  @Timeout(330)
  void aHiddenLimitIsLearnedWithinAMinuteAndARaisedOneIsFollowedWithinAMinute() throws Exception {
    HiddenLimitBench.Result r;
    try (Embedded embedded =
        Embedded.start(
            KafkaBrokers::start, null, Behavior.ok(), 1, BenchCommand.HIDDEN_LIMIT_CONFIG)) {
      r =
          HiddenLimitBench.run(
              embedded.config(),
              embedded.mock(),
              new HiddenLimitBench.Options(
                  "limited-a",
                  300,
                  600,
                  Duration.ofSeconds(120),
                  Duration.ofSeconds(60),
                  true,
                  Duration.ofMillis(20)));
    }
    assertThat(r.configuredRpm()).isEqualTo(600);
    assertThat(r.settledCalls()).isGreaterThan(100);
    assertThat(r.settledLimitedShare()).as("429 share after 60 s: %s", r).isLessThan(0.02);
    assertThat(r.settledThroughputShare())
        .as("throughput share after 60 s: %s", r)
        .isGreaterThanOrEqualTo(0.9);
    assertThat(r.followSeconds()).as("seconds to follow the rise: %s", r).isBetween(0, 60);
  }
}
