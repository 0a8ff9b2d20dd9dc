package io.switchboard.router.selection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SlidingBudgetTest {
  static final long T0 = 1_795_000_000_000L; // a whole second

  @Test
  void aUseCountsForAtLeast62AndAtMost63Seconds() {
    for (long offset : new long[] {0, 1, 500, 999}) {
      SlidingBudget budget = new SlidingBudget();
      budget.spend(T0 + offset, 10);
      assertThat(budget.requests(T0 + offset)).isEqualTo(1);
      assertThat(budget.tokens(T0 + offset)).isEqualTo(10);
      // A minute and two seconds later it still counts, whatever the millisecond it was made at.
      assertThat(budget.requests(T0 + offset + 62_000)).as("offset %d", offset).isEqualTo(1);
      assertThat(budget.requests(T0 + 62_999)).isEqualTo(1);
      assertThat(budget.requests(T0 + 63_000)).isZero();
      assertThat(budget.tokens(T0 + 63_000)).isZero();
      assertThat(budget.isEmpty(T0 + 63_000)).isTrue();
    }
  }

  @Test
  void matchesAnExactCountOfTheUsesOfTheLast63SecondsOverRandomTraffic() {
    Random random = new Random(11);
    SlidingBudget budget = new SlidingBudget();
    List<long[]> uses = new ArrayList<>();
    long now = T0;
    for (int i = 0; i < 20_000; i++) {
      // Mostly small steps, sometimes a long pause that empties the window.
      now += random.nextInt(50) == 0 ? random.nextInt(120_000) : random.nextInt(400);
      long tokens = random.nextInt(1_000);
      budget.spend(now, tokens);
      uses.add(new long[] {now, tokens});
      long second = Math.floorDiv(now, 1000L);
      long[] expected = new long[2];
      for (long[] use : uses) {
        if (Math.floorDiv(use[0], 1000L) > second - SlidingBudget.SPAN_SECONDS) {
          expected[0]++;
          expected[1] += use[1];
        }
      }
      assertThat(budget.requests(now)).isEqualTo(expected[0]);
      assertThat(budget.tokens(now)).isEqualTo(expected[1]);
      int seconds = 1 + random.nextInt(SlidingBudget.SPAN_SECONDS);
      long recent = uses.stream().filter(use -> Math.floorDiv(use[0], 1000L) > second - seconds).count();
      assertThat(budget.recentRequests(now, seconds)).as("the last %d s", seconds).isEqualTo(recent);
      uses.removeIf(use -> Math.floorDiv(use[0], 1000L) <= second - SlidingBudget.SPAN_SECONDS);
    }
  }

  @Test
  void aRecentWindowOfElevenSecondsCountsAUseForTenToElevenSeconds() {
    for (long offset : new long[] {0, 999}) {
      SlidingBudget budget = new SlidingBudget();
      budget.spend(T0 + offset, 0);
      assertThat(budget.recentRequests(T0 + offset + 10_000, 11)).as("offset %d", offset).isEqualTo(1);
      assertThat(budget.recentRequests(T0 + 10_999, 11)).isEqualTo(1);
      assertThat(budget.recentRequests(T0 + 11_000, 11)).isZero();
      assertThat(budget.requests(T0 + 11_000)).as("the minute still counts it").isEqualTo(1);
    }
  }

  @Test
  void theStoredFormReadsBackTheSameAndAnythingElseReadsAsEmpty() {
    SlidingBudget budget = new SlidingBudget();
    for (int i = 0; i < 100; i++) {
      budget.spend(T0 + i * 700L, i);
    }
    SlidingBudget read = SlidingBudget.fromCounts(budget.toCounts());
    long at = T0 + 100 * 700L;
    assertThat(read.requests(at)).isEqualTo(budget.requests(at)).isPositive();
    assertThat(read.tokens(at)).isEqualTo(budget.tokens(at));
    // An earlier version's per-minute value: {requests, tokens}.
    assertThat(SlidingBudget.fromCounts(new long[] {5, 500}).requests(at)).isZero();
    assertThat(SlidingBudget.fromCounts(null).isEmpty(at)).isTrue();
  }

  @Test
  void aClockSteppingBackForgetsNothing() {
    SlidingBudget budget = new SlidingBudget();
    budget.spend(T0 + 30_000, 1);
    budget.spend(T0, 1);
    assertThat(budget.requests(T0)).isEqualTo(2);
    assertThat(budget.requests(T0 + 30_000 + 62_000)).isEqualTo(2);
  }
}
