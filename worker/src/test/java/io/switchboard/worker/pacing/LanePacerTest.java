package io.switchboard.worker.pacing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.schemas.Priority;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.PriorityReserve;
import io.switchboard.testkit.time.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LanePacerTest {
  private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

  @Test
  void aLaneGetsItsShareOfTheDeploymentsLimits() {
    LanePacer pacer = LanePacer.forLane(deployment(100, 90_000, 3), new MutableClock(START));
    assertThat(pacer.requestLimit()).isEqualTo(33);
    assertThat(pacer.tokenLimit()).isEqualTo(30_000);
    LanePacer tiny = LanePacer.forLane(deployment(2, null, 4), new MutableClock(START));
    assertThat(tiny.requestLimit()).isEqualTo(1);
    assertThat(tiny.tokenLimit()).isNull();
  }

  @Test
  void aLaneFollowsTheDeploymentsLimitsAsTheyChangeAndALoweredOneWaitsForTheWindowToDrain() {
    MutableClock clock = new MutableClock(START);
    int[] rpm = {100};
    PaceLimits limits =
        new PaceLimits() {
          @Override
          public Integer rpm(DeploymentConfig deployment) {
            return rpm[0];
          }

          @Override
          public Integer tpm(DeploymentConfig deployment) {
            return deployment.tpm();
          }
        };
    LanePacer pacer =
        LanePacer.forLane(deployment(100, null, 2, 10), limits, PriorityReserve.NONE, clock);
    assertThat(pacer.requestLimit()).isEqualTo(50);
    assertThat(pacer.shortLimit()).isEqualTo(8);
    for (int i = 0; i < 8; i++) {
      clock.advance(Duration.ofSeconds(2));
      assertThat(pacer.tryAcquire(1)).isPresent();
    }
    rpm[0] = 10; // learned: the provider allows a tenth
    assertThat(pacer.requestLimit()).isEqualTo(5);
    assertThat(pacer.shortLimit()).isEqualTo(1);
    assertThat(pacer.tryAcquire(1)).isEmpty();
    // 8 permits in the window, 5 allowed: one slot frees when the fourth expires
    assertThat(pacer.delayUntilAvailable(1))
        .isEqualTo(Duration.ofMillis(LanePacer.WINDOW_MS - 8_000));
    clock.advance(Duration.ofMillis(LanePacer.WINDOW_MS - 8_000));
    assertThat(pacer.tryAcquire(1)).isPresent();
    assertThat(pacer.tryAcquire(1)).isEmpty();

    rpm[0] = 100; // the provider raised it again
    clock.advance(Duration.ofSeconds(11));
    assertThat(pacer.tryAcquire(1)).isPresent();
  }

  @Test
  void aLearnedLimitSpacesRequestsEvenlyTwoAtMostBackToBack() {
    MutableClock clock = new MutableClock(START);
    boolean[] evenly = {true};
    PaceLimits learned =
        new PaceLimits() {
          @Override
          public Integer rpm(DeploymentConfig deployment) {
            return 61;
          }

          @Override
          public Integer tpm(DeploymentConfig deployment) {
            return null;
          }

          @Override
          public boolean evenly(DeploymentConfig deployment) {
            return evenly[0];
          }
        };
    LanePacer pacer =
        LanePacer.forLane(deployment(600, null, 1), learned, PriorityReserve.NONE, clock);
    assertThat(pacer.tryAcquire(1)).isPresent();
    assertThat(pacer.tryAcquire(1)).as("a late poll loop's turn").isPresent();
    assertThat(pacer.tryAcquire(1)).isEmpty();
    assertThat(pacer.delayUntilAvailable(1)).isEqualTo(Duration.ofSeconds(1));
    clock.advance(Duration.ofMillis(999));
    assertThat(pacer.tryAcquire(1)).isEmpty();
    clock.advance(Duration.ofMillis(1));
    assertThat(pacer.tryAcquire(1)).isPresent();
    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofMillis(999));
      assertThat(pacer.tryAcquire(1)).isEmpty();
      clock.advance(Duration.ofMillis(1));
      assertThat(pacer.tryAcquire(1)).isPresent();
    }

    evenly[0] = false; // as before: the sliding window alone
    assertThat(pacer.tryAcquire(1)).isPresent();
    assertThat(pacer.tryAcquire(1)).isPresent();
    assertThat(pacer.requestsInWindow()).isEqualTo(15);
  }

  @Test
  void noSixtySecondWindowHoldsMoreThanTheRequestLimit() {
    Random random = new Random(31);
    for (int trial = 0; trial < 200; trial++) {
      int limit = 1 + random.nextInt(50);
      MutableClock clock = new MutableClock(START);
      LanePacer pacer = new LanePacer(limit, null, clock);
      List<Long> granted = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        clock.advance(Duration.ofMillis(randomGap(random)));
        if (pacer.tryAcquire(random.nextInt(100)).isPresent()) {
          granted.add(clock.millis());
        }
      }
      assertWindowsHoldAtMost(granted, limit, trial);
      assertThat(granted).as("the limiter must not starve the lane").hasSizeGreaterThan(limit);
    }
  }

  @Test
  void aRateWindowSpreadsTheLanesShareOverItsSeconds() {
    LanePacer pacer = LanePacer.forLane(deployment(6_000, null, 3, 10), new MutableClock(START));
    assertThat(pacer.requestLimit()).isEqualTo(2_000);
    assertThat(pacer.shortLimit()).as("a sixth of the lane's 2,000").isEqualTo(333);
    assertThat(pacer.shortWindowMs()).isEqualTo(10_000 + LanePacer.SHORT_WINDOW_MARGIN_MS);
    LanePacer slow = LanePacer.forLane(deployment(30, null, 1, 1), new MutableClock(START));
    assertThat(slow.shortLimit()).as("never below one call per window").isEqualTo(1);
    assertThat(LanePacer.forLane(deployment(6_000, null, 3), new MutableClock(START)).shortLimit())
        .isNull();
  }

  @Test
  void noShortWindowHoldsMoreThanItsLimitAndTheMinuteStillHolds() {
    Random random = new Random(34);
    for (int trial = 0; trial < 200; trial++) {
      int shortLimit = 1 + random.nextInt(20);
      int limit = shortLimit + random.nextInt(100);
      long shortMs = 1_000 + random.nextInt(20_000);
      MutableClock clock = new MutableClock(START);
      LanePacer pacer = new LanePacer(limit, null, shortLimit, shortMs, clock);
      List<Long> granted = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        clock.advance(
            Duration.ofMillis(random.nextInt(4) == 0 ? 0 : random.nextInt((int) shortMs / 4)));
        if (pacer.tryAcquire(0).isPresent()) {
          granted.add(clock.millis());
        }
      }
      assertWindowsHoldAtMost(granted, shortMs, shortLimit, trial);
      assertWindowsHoldAtMost(granted, limit, trial);
    }
  }

  @Test
  void theDelayCoversTheShortWindow() {
    MutableClock clock = new MutableClock(START);
    LanePacer pacer = new LanePacer(100, null, 2, 10_200, clock);
    pacer.tryAcquire(0).orElseThrow();
    clock.advance(Duration.ofSeconds(3));
    pacer.tryAcquire(0).orElseThrow();
    assertThat(pacer.tryAcquire(0)).isEmpty();
    assertThat(pacer.delayUntilAvailable(0)).isEqualTo(Duration.ofMillis(7_200));
    clock.advance(Duration.ofMillis(7_199));
    assertThat(pacer.tryAcquire(0)).isEmpty();
    clock.advance(Duration.ofMillis(1));
    assertThat(pacer.tryAcquire(0)).isPresent();
    assertThat(pacer.requestsInWindow()).as("the minute's window keeps all three").isEqualTo(3);
  }

  @Test
  void noSixtySecondWindowHoldsMoreThanTheTokenLimitWhenEstimatesAreRight() {
    Random random = new Random(32);
    for (int trial = 0; trial < 200; trial++) {
      int tokenLimit = 1_000 + random.nextInt(10_000);
      MutableClock clock = new MutableClock(START);
      LanePacer pacer = new LanePacer(null, tokenLimit, clock);
      List<long[]> granted = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        clock.advance(Duration.ofMillis(randomGap(random)));
        int tokens = random.nextInt(tokenLimit / 4);
        if (pacer.tryAcquire(tokens).isPresent()) {
          granted.add(new long[] {clock.millis(), tokens});
        }
      }
      for (long[] g : granted) {
        long sum =
            granted.stream()
                .filter(o -> o[0] > g[0] - 60_000 && o[0] <= g[0])
                .mapToLong(o -> o[1])
                .sum();
        assertThat(sum).as("trial %d at %d", trial, g[0]).isLessThanOrEqualTo(tokenLimit);
      }
    }
  }

  @Test
  void delayUntilAvailableIsExact() {
    Random random = new Random(33);
    for (int trial = 0; trial < 300; trial++) {
      MutableClock clock = new MutableClock(START);
      int limit = 1 + random.nextInt(10);
      LanePacer pacer =
          new LanePacer(
              limit,
              random.nextBoolean() ? null : 500 + random.nextInt(500),
              random.nextBoolean() ? null : 1 + random.nextInt(limit),
              1_000 + random.nextInt(20_000),
              clock);
      for (int i = 0; i < 1 + random.nextInt(40); i++) {
        clock.advance(Duration.ofMillis(random.nextInt(5_000)));
        pacer.tryAcquire(random.nextInt(200));
      }
      int tokens = random.nextInt(200);
      Duration delay = pacer.delayUntilAvailable(tokens);
      if (delay.isZero()) {
        assertThat(pacer.tryAcquire(tokens)).as("trial %d", trial).isPresent();
        continue;
      }
      clock.advance(delay.minusMillis(1));
      assertThat(pacer.tryAcquire(tokens)).as("trial %d: 1 ms before the delay", trial).isEmpty();
      clock.advance(Duration.ofMillis(1));
      assertThat(pacer.tryAcquire(tokens))
          .as("trial %d: after the delay %s", trial, delay)
          .isPresent();
    }
  }

  @Test
  void aLaneWithoutLimitsGrantsEveryPermitAndKeepsNone() {
    LanePacer pacer = new LanePacer(null, null, new MutableClock(START));
    LanePacer.Permit permit = null;
    for (int i = 0; i < 10_000; i++) {
      permit = pacer.tryAcquire(100).orElseThrow();
    }
    assertThat(pacer.requestsInWindow()).isZero();
    assertThat(pacer.delayUntilAvailable(100)).isZero();
    pacer.settle(permit, 950);
    assertThat(permit.tokens()).isEqualTo(950);
    assertThat(pacer.tokensInWindow()).isZero();
    LanePacer.Permit settled = permit;
    assertThatThrownBy(() -> pacer.settle(settled, 1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void settlingWithTheActualUsageCorrectsTheTokenAccount() {
    MutableClock clock = new MutableClock(START);
    LanePacer pacer = new LanePacer(null, 1_000, clock);
    LanePacer.Permit permit = pacer.tryAcquire(100).orElseThrow();
    pacer.settle(permit, 950);
    assertThat(pacer.tokensInWindow()).isEqualTo(950);
    assertThat(pacer.tryAcquire(100)).isEmpty();
    assertThat(pacer.delayUntilAvailable(100)).isEqualTo(Duration.ofSeconds(61));
    clock.advance(Duration.ofSeconds(60));
    // A minute later the call still counts: the window is a minute and a second.
    assertThat(pacer.tryAcquire(100)).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    assertThat(pacer.tokensInWindow()).isZero();
    assertThat(pacer.tryAcquire(100)).isPresent();
    assertThatThrownBy(() -> pacer.settle(permit, 1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aRequestLargerThanTheWholeTokenLimitWaitsForAnEmptyWindowButIsNotStarved() {
    MutableClock clock = new MutableClock(START);
    LanePacer pacer = new LanePacer(null, 1_000, clock);
    pacer.tryAcquire(10).orElseThrow();
    assertThat(pacer.tryAcquire(5_000)).isEmpty();
    clock.advance(pacer.delayUntilAvailable(5_000));
    Optional<LanePacer.Permit> big = pacer.tryAcquire(5_000);
    assertThat(big).isPresent();
  }

  @Test
  void aClockSteppingBackDoesNotGrantExtraSlots() {
    MutableClock clock = new MutableClock(START);
    LanePacer pacer = new LanePacer(1, null, clock);
    pacer.tryAcquire(0).orElseThrow();
    clock.advance(Duration.ofSeconds(59));
    clock.set(START.minusSeconds(3600));
    assertThat(pacer.tryAcquire(0)).isEmpty();
  }

  @Test
  void badLimitsAreRefused() {
    assertThatThrownBy(() -> new LanePacer(0, null, new MutableClock(START)))
        .hasMessageContaining("rpm 0");
  }

  private static long randomGap(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> 0;
      case 1 -> random.nextInt(100);
      case 2 -> random.nextInt(3_000);
      default -> random.nextInt(70_000);
    };
  }

  private static void assertWindowsHoldAtMost(List<Long> granted, int limit, int trial) {
    assertWindowsHoldAtMost(granted, 60_000, limit, trial);
  }

  private static void assertWindowsHoldAtMost(
      List<Long> granted, long windowMs, int limit, int trial) {
    // granted is ascending; for each grant count the grants in the window ending at it.
    int lo = 0;
    for (int hi = 0; hi < granted.size(); hi++) {
      while (granted.get(lo) <= granted.get(hi) - windowMs) {
        lo++;
      }
      assertThat(hi - lo + 1)
          .as("trial %d: grants in the minute ending %d", trial, granted.get(hi))
          .isLessThanOrEqualTo(limit);
    }
  }

  private static DeploymentConfig deployment(Integer rpm, Integer tpm, int lanes) {
    return deployment(rpm, tpm, lanes, null);
  }

  private static DeploymentConfig deployment(
      Integer rpm, Integer tpm, int lanes, Integer rateWindowSeconds) {
    return new DeploymentConfig(
        "m",
        "d1",
        null,
        null,
        null,
        null,
        null,
        rpm,
        tpm,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        lanes,
        rateWindowSeconds,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  @Test
  void aClassMayNotTakeTheUnusedReserveOfAnother() {
    MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    PriorityReserve reserve = PriorityReserve.fromWire(Map.of("interactive", 0.05, "batch", 0.1));
    LanePacer pacer = new LanePacer(600, null, null, 0, reserve, clock);
    int batch = 0;
    while (pacer.tryAcquire(1, Priority.BATCH).isPresent()) {
      batch++;
    }
    assertThat(batch).as("all but interactive's 5%: 95% of the rpm").isEqualTo(570);
    assertThat(pacer.delayUntilAvailable(1, Priority.BATCH)).isEqualTo(Duration.ofMillis(61_000));
    assertThat(pacer.delayUntilAvailable(1, Priority.INTERACTIVE)).isZero();
    int interactive = 0;
    while (pacer.tryAcquire(1, Priority.INTERACTIVE).isPresent()) {
      interactive++;
    }
    assertThat(interactive).isEqualTo(30);
    assertThat(pacer.requestsInWindow()).as("never more than the rpm").isEqualTo(600);
    assertThat(pacer.requestsInWindow(Priority.BATCH)).isEqualTo(570);
    clock.advance(Duration.ofMillis(LanePacer.WINDOW_MS));
    assertThat(pacer.requestsInWindow(Priority.BATCH)).isZero();
  }

  @Test
  void interactiveTrafficLeavesBatchItsReserve() {
    MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    PriorityReserve reserve = PriorityReserve.fromWire(Map.of("batch", 0.1));
    LanePacer pacer = new LanePacer(600, 6_000, null, 0, reserve, clock);
    int interactive = 0;
    while (pacer.tryAcquire(10, Priority.INTERACTIVE).isPresent()) {
      interactive++;
    }
    assertThat(interactive).isEqualTo(540);
    int batch = 0;
    while (pacer.tryAcquire(10, Priority.BATCH).isPresent()) {
      batch++;
    }
    assertThat(batch).as("its 10%, of the requests and of the tokens").isEqualTo(60);
  }

  /**
   * A burst of permits whose calls leave the HTTP client over 2.5 s (new connections on a loaded
   * machine), then the lane kept at its limit for two minutes: the provider, counting arrivals,
   * sees no more than the limit in any minute.
   */
  @Test
  void callsThatLeaveLateCountAMinuteFromWhenTheyLeft() {
    MutableClock clock = new MutableClock(START);
    LanePacer pacer = new LanePacer(600, null, clock);
    java.util.ArrayDeque<LanePacer.Permit> waiting = new java.util.ArrayDeque<>();
    for (java.util.Optional<LanePacer.Permit> p; (p = pacer.tryAcquire(0)).isPresent(); ) {
      waiting.add(p.get());
    }
    assertThat(waiting).hasSize(600);
    java.util.List<Long> arrivals = new java.util.ArrayList<>();
    while (!waiting.isEmpty()) {
      clock.advance(Duration.ofMillis(10));
      for (int i = 0; i < 3 && !waiting.isEmpty(); i++) {
        pacer.sent(waiting.poll());
        arrivals.add(clock.millis());
      }
    }
    long end = clock.millis() + 120_000;
    while (clock.millis() < end) {
      clock.advance(Duration.ofMillis(100));
      for (java.util.Optional<LanePacer.Permit> p; (p = pacer.tryAcquire(0)).isPresent(); ) {
        pacer.sent(p.get());
        arrivals.add(clock.millis());
      }
    }
    int most = 0;
    for (int i = 0, j = 0; i < arrivals.size(); i++) {
      while (j < arrivals.size() && arrivals.get(j) < arrivals.get(i) + 60_000) {
        j++;
      }
      most = Math.max(most, j - i);
    }
    assertThat(most).as("calls arriving within one minute").isEqualTo(600);
    assertThat(arrivals.size()).as("the lane still uses its limit").isGreaterThanOrEqualTo(1200);
  }
}
