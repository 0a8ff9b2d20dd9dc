package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.sandbox.bench.HiddenLimitBench;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A provider that allows half the configured rpm, end to end on the embedded stack (broker, router,
 * worker, mock): the worker learns the limit from the rate-limit headers of the first answers, so
 * that from eight seconds on fewer than 2% of the calls get a 429 and at least 90% of the real
 * limit is used, and when the provider raises the limit the rate follows at once. The minute-long
 * figures (a minute to learn, whole minutes measured, 429s alone) come from {@code switchboard
 * bench --real-rpm} and {@code LearnedLimitSimulationTest}.
 */
class HiddenLimitIT {
  @Test
  @Timeout(120)
  void aHiddenLimitIsLearnedFromTheFirstAnswersAndARaisedOneIsFollowed() throws Exception {
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
                  Duration.ofSeconds(30),
                  Duration.ofSeconds(16),
                  true,
                  Duration.ofMillis(20),
                  Duration.ofSeconds(8)));
    }
    assertThat(r.configuredRpm()).isEqualTo(600);
    assertThat(r.settledCalls()).isGreaterThan(90);
    assertThat(r.settledLimitedShare())
        .as("429 share from 8 s to the rise: %s", r)
        .isLessThan(0.02);
    assertThat(r.settledThroughputShare())
        .as("throughput share from 8 s to the rise: %s", r)
        .isGreaterThanOrEqualTo(0.9);
    assertThat(r.followSeconds()).as("seconds to follow the rise: %s", r).isBetween(0, 16);
  }
}
