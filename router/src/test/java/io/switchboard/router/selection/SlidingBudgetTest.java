package io.switchboard.router.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
      uses.removeIf(use -> Math.floorDiv(use[0], 1000L) <= second - SlidingBudget.SPAN_SECONDS);
    }
  }

  @Test
  void aRateWindowOf106TenthsCountsAUseFor105To106Tenths() {
    for (long offset : new long[] {0, 1, 50, 99}) {
      SlidingBudget budget = new SlidingBudget(106);
      budget.spend(T0 + offset, 0);
      assertThat(budget.recentRequests(T0 + offset)).isEqualTo(1);
      assertThat(budget.recentRequests(T0 + offset + 10_500)).as("offset %d", offset).isEqualTo(1);
      assertThat(budget.recentRequests(T0 + 10_599)).isEqualTo(1);
      assertThat(budget.recentRequests(T0 + 10_600)).isZero();
      assertThat(budget.requests(T0 + 10_600)).as("the minute still counts it").isEqualTo(1);
    }
    assertThatThrownBy(() -> new SlidingBudget().recentRequests(T0))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aRateWindowMatchesAnExactCountOverRandomTraffic() {
    Random random = new Random(12);
    for (int windowTenths : new int[] {1, 16, 106, 596}) {
      SlidingBudget budget = new SlidingBudget(windowTenths);
      List<Long> uses = new ArrayList<>();
      long now = T0;
      for (int i = 0; i < 5_000; i++) {
        now +=
            random.nextInt(50) == 0 ? random.nextInt(2 * windowTenths * 100) : random.nextInt(60);
        if (random.nextBoolean()) {
          budget.spend(now, 1);
          uses.add(now);
        }
        long tenth = Math.floorDiv(now, 100L);
        uses.removeIf(use -> Math.floorDiv(use, 100L) <= tenth - windowTenths);
        assertThat(budget.recentRequests(now))
            .as("window %d at %d", windowTenths, i)
            .isEqualTo(uses.size());
      }
    }
  }

  @Test
  void theRateWindowIsStoredWithTheMinuteAndComesBackOnlyForTheSameWindow() {
    SlidingBudget budget = new SlidingBudget(16);
    for (int i = 0; i < 30; i++) {
      budget.spend(T0 + i * 70L, 5);
    }
    long now = T0 + 30 * 70L;
    long[] counts = budget.toCounts();
    SlidingBudget same = SlidingBudget.fromCounts(counts, 16);
    assertThat(same.recentRequests(now)).isEqualTo(budget.recentRequests(now));
    assertThat(same.requests(now)).isEqualTo(30);
    SlidingBudget changed = SlidingBudget.fromCounts(counts, 26);
    assertThat(changed.recentRequests(now)).as("another window starts empty").isZero();
    assertThat(changed.requests(now)).as("the minute's counts stay").isEqualTo(30);
    assertThat(SlidingBudget.fromCounts(counts).tokens(now)).isEqualTo(150);
    assertThat(SlidingBudget.fromCounts(new SlidingBudget().toCounts(), 16).recentRequests(now))
        .isZero();
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
