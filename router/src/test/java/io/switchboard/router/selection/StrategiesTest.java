package io.switchboard.router.selection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The rule every strategy shares, and the router task's own dispatches that least-busy adds. */
class StrategiesTest {
  static final long[] EQUAL = {1, 1, 1, 1};
  static final boolean[] ALL = {true, true, true, true};

  @Test
  void theLowestScoresOfTheEligibleStay() {
    assertThat(Strategies.lowest(new double[] {3, 1, 1, 2}, ALL, EQUAL))
        .containsExactly(false, true, true, false);
    assertThat(
            Strategies.lowest(
                new double[] {3, 1, 1, 2}, new boolean[] {true, false, true, true}, EQUAL))
        .containsExactly(false, false, true, false);
  }

  @Test
  void aMemberOfWeight0OrNotEligibleIsNeverKept() {
    assertThat(
            Strategies.lowest(
                new double[] {0, 5, 1, 0},
                new boolean[] {true, true, true, false},
                new long[] {0, 1, 1, 1}))
        .containsExactly(false, false, true, false);
  }

  @Test
  void anUnmeasuredMemberTiesWithTheLowestMeasuredOne() {
    double nan = Double.NaN;
    assertThat(Strategies.lowest(new double[] {300, nan, 100, 200}, ALL, EQUAL))
        .containsExactly(false, true, true, false);
    assertThat(Strategies.lowest(new double[] {nan, nan, nan, nan}, ALL, EQUAL))
        .containsExactly(ALL);
  }

  @Test
  void equalInfiniteScoresAllTie() {
    double inf = Double.POSITIVE_INFINITY;
    assertThat(Strategies.lowest(new double[] {inf, inf, inf, inf}, ALL, EQUAL))
        .containsExactly(ALL);
    assertThat(Strategies.lowest(new double[] {inf, 2, inf, inf}, ALL, EQUAL))
        .containsExactly(false, true, false, false);
  }

  @Test
  void withNoMemberToKeepTheEligibleStandAsTheyAre() {
    boolean[] none = {false, false, false, false};
    assertThat(Strategies.lowest(new double[] {1, 2, 3, 4}, none, EQUAL)).isSameAs(none);
  }

  @Test
  void ownDispatchesCountAfterTheReportAndWithinTheHorizon() {
    RecentPicks picks = new RecentPicks(1000);
    for (long t = 0; t < 10; t++) {
      picks.record("a", 100 * t);
    }
    picks.record("b", 500);
    assertThat(picks.since("a", Long.MIN_VALUE, 900)).isEqualTo(10);
    assertThat(picks.since("a", 450, 900)).as("after the report at 450").isEqualTo(5);
    assertThat(picks.since("a", Long.MIN_VALUE, 1500)).as("the horizon is a second").isEqualTo(4);
    assertThat(picks.since("b", 500, 900)).as("a report of the same millisecond").isEqualTo(1);
    assertThat(picks.since("b", 501, 900)).isZero();
    assertThat(picks.since("c", 0, 900)).isZero();
  }
}
