package io.switchboard.router.selection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BudgetShareTest {
  @Test
  void sharesOfAllTasksAddUpToTheLimitExactly() {
    Random random = new Random(7);
    for (int trial = 0; trial < 1000; trial++) {
      int limit = 1 + random.nextInt(100_000);
      int tasks = 1 + random.nextInt(64);
      long total = 0;
      for (int task = 0; task < tasks; task++) {
        long share = BudgetShare.of(limit, tasks, task);
        assertThat(share).isBetween((long) limit / tasks, (long) limit / tasks + 1);
        total += share;
      }
      assertThat(total).as("limit %d over %d tasks", limit, tasks).isEqualTo(limit);
    }
  }

  @Test
  void noLimitMeansNoShare() {
    assertThat(BudgetShare.of(null, 6, 0)).isNull();
  }

  @Test
  void smallLimitsGiveSomeTasksNothing() {
    assertThat(BudgetShare.of(4, 6, 3)).isEqualTo(1);
    assertThat(BudgetShare.of(4, 6, 4)).isZero();
  }
}
