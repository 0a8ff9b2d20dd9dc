package io.switchboard.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LanePlanTest {
  private final SwitchboardConfig config =
      new ConfigLoader(k -> null)
          .parse(
              """
      model_list:
        - {model_name: a, lanes: 2}
        - {model_name: b}
        - {model_name: c, lanes: 3}
        - {model_name: c}
      """,
              "test");

  @Test
  void deploymentsOwnContiguousRangesInFileOrder() {
    LanePlan plan = LanePlan.of(config);
    assertThat(plan.partitions()).isEqualTo(7);
    assertThat(plan.lanesOf("a")).isEqualTo(new LanePlan.Lanes("a", 0, 2));
    assertThat(plan.lanesOf("b")).isEqualTo(new LanePlan.Lanes("b", 2, 1));
    assertThat(plan.lanesOf("c-1")).isEqualTo(new LanePlan.Lanes("c-1", 3, 3));
    assertThat(plan.lanesOf("c-2")).isEqualTo(new LanePlan.Lanes("c-2", 6, 1));
    for (int p = 0; p < 7; p++) {
      assertThat(plan.ownerOf(p)).isPresent();
      assertThat(plan.ownerOf(p).get().contains(p)).isTrue();
    }
    assertThat(plan.ownerOf(7)).isEmpty();
  }

  @Test
  void keysSpreadOverEveryLaneOfADeploymentAndNeverLeaveIt() {
    LanePlan plan = LanePlan.of(config);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      int p = plan.partitionFor("c-1", "req-" + i);
      assertThat(plan.lanesOf("c-1").contains(p)).isTrue();
      seen.add(p);
    }
    assertThat(seen).containsExactlyInAnyOrder(3, 4, 5);
    assertThat(plan.partitionFor("b", "any")).isEqualTo(2);
    assertThatThrownBy(() -> plan.lanesOf("nope")).hasMessageContaining("nope");
  }

  @Test
  void aLaneGetsItsShareRoundedDownAndTheLanesDeliverNoMoreThanTheLimit() {
    assertThat(LanePlan.laneShare(6000, 3)).isEqualTo(2000);
    assertThat(LanePlan.deliverable(6000, 3)).isEqualTo(6000);
    assertThat(LanePlan.laneShare(100, 3)).isEqualTo(33);
    assertThat(LanePlan.deliverable(100, 3)).isEqualTo(99);
    // Below one per lane every lane still gets 1, but the limit stays the limit.
    assertThat(LanePlan.laneShare(2, 3)).isEqualTo(1);
    assertThat(LanePlan.deliverable(2, 3)).isEqualTo(2);
    assertThat(LanePlan.laneShare(null, 3)).isNull();
    assertThat(LanePlan.deliverable(null, 3)).isNull();
    assertThatThrownBy(() -> LanePlan.laneShare(0, 3)).hasMessageContaining("was 0");
  }

  @Test
  void aRateWindowsPartIsWhatTheLanesDeliverInIt() {
    assertThat(LanePlan.laneWindowShare(6000, 3, 10)).isEqualTo(333);
    assertThat(LanePlan.windowDeliverable(6000, 3, 10)).isEqualTo(999);
    assertThat(LanePlan.laneWindowShare(6000, 3, 1)).isEqualTo(33);
    assertThat(LanePlan.windowDeliverable(6000, 3, 1)).isEqualTo(99);
    assertThat(LanePlan.windowDeliverable(600, 1, 10)).isEqualTo(100);
    // At least one call per lane and window, but never more than the window's part of the rpm.
    assertThat(LanePlan.laneWindowShare(60, 3, 1)).isEqualTo(1);
    assertThat(LanePlan.windowDeliverable(60, 3, 1)).isEqualTo(1);
    assertThat(LanePlan.windowDeliverable(6000, 3, null)).isNull();
    assertThat(LanePlan.windowDeliverable(null, 3, 10)).isNull();
  }
}
