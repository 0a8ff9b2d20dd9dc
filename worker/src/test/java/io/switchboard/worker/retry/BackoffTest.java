package io.switchboard.worker.retry;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.config.BackoffConfig;
import java.time.Duration;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void ceilingGrowsExponentiallyUpToTheMax() {
    Backoff backoff = new Backoff(new BackoffConfig(100L, 1_000L, 3.0), new SplittableRandom(1));
    assertThat(backoff.ceiling(0)).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofMillis(300));
    assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofMillis(900));
    assertThat(backoff.ceiling(3)).isEqualTo(Duration.ofMillis(1_000));
    assertThat(backoff.ceiling(500)).isEqualTo(Duration.ofMillis(1_000));
  }

  @Test
  void delaysAreFullJitterWithinZeroAndTheCeiling() {
    Random configs = new Random(5);
    for (int trial = 0; trial < 200; trial++) {
      long initial = configs.nextInt(2_000);
      long max = initial + configs.nextInt(60_000);
      double multiplier = 1 + configs.nextDouble() * 3;
      Backoff backoff =
          new Backoff(new BackoffConfig(initial, max, multiplier), new SplittableRandom(trial));
      for (int n = 0; n < 12; n++) {
        long ceiling = backoff.ceiling(n).toMillis();
        long lowest = Long.MAX_VALUE;
        long highest = Long.MIN_VALUE;
        for (int i = 0; i < 200; i++) {
          long d = backoff.delay(n).toMillis();
          assertThat(d).isBetween(0L, ceiling);
          lowest = Math.min(lowest, d);
          highest = Math.max(highest, d);
        }
        if (ceiling >= 100) {
          // Full jitter: the draws spread over the whole range, not just near the ceiling.
          assertThat(lowest).isLessThan(ceiling / 4);
          assertThat(highest).isGreaterThan(ceiling * 3 / 4);
        }
      }
    }
  }

  @Test
  void aServerDelayIsALowerBound() {
    Backoff backoff = new Backoff(new BackoffConfig(10L, 20L, 2.0), new SplittableRandom(3));
    for (int i = 0; i < 100; i++) {
      assertThat(backoff.delay(0, Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(2));
      assertThat(backoff.delay(0, Duration.ZERO)).isBetween(Duration.ZERO, Duration.ofMillis(10));
    }
  }

  @Test
  void zeroInitialMeansNoWait() {
    Backoff backoff = new Backoff(new BackoffConfig(0L, 0L, 1.0), new SplittableRandom(3));
    assertThat(backoff.delay(4)).isZero();
  }
}
