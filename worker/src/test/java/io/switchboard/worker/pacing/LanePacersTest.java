package io.switchboard.worker.pacing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.testkit.time.MutableClock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LanePacersTest {
  private static final SwitchboardConfig CONFIG =
      new ConfigLoader(Map.<String, String>of()::get)
          .parse(
              """
      model_list:
        - {model_name: a, deployment_id: a1, api_base: "http://127.0.0.1:1", rpm: 120, tpm: 10000, lanes: 2}
        - {model_name: b, deployment_id: b1, api_base: "http://127.0.0.1:1", rpm: 30}
      """,
              "test.yaml");

  @Test
  void eachPartitionIsPacedAtItsDeploymentsLaneShare() {
    LanePacers pacers = new LanePacers(CONFIG, new MutableClock(Instant.EPOCH));
    assertThat(pacers.forPartition(0).requestLimit()).isEqualTo(60);
    assertThat(pacers.forPartition(1).tokenLimit()).isEqualTo(5_000);
    assertThat(pacers.forPartition(2).requestLimit()).isEqualTo(30);
    assertThat(pacers.forPartition(0))
        .isSameAs(pacers.forPartition(0))
        .isNotSameAs(pacers.forPartition(1));
  }

  @Test
  void aPartitionKeepsItsWindowForTheWorkersLife() {
    MutableClock clock = new MutableClock(Instant.EPOCH);
    LanePacers pacers = new LanePacers(CONFIG, clock);
    pacers.forPartition(2).tryAcquire(1).orElseThrow();
    assertThat(pacers.forPartition(2).requestsInWindow()).isEqualTo(1);
  }

  @Test
  void aPartitionBeyondTheLanePlanIsNamedInTheError() {
    LanePacers pacers = new LanePacers(CONFIG, new MutableClock(Instant.EPOCH));
    assertThatThrownBy(() -> pacers.forPartition(7))
        .hasMessageContaining("partition 7")
        .hasMessageContaining("(3)");
  }

  @Test
  void aNewConfigRepacesOnlyThePartitionsWhoseLimitsChanged() {
    MutableClock clock = new MutableClock(Instant.EPOCH);
    LanePacers pacers = new LanePacers(CONFIG, clock);
    LanePacer a0 = pacers.forPartition(0);
    LanePacer b0 = pacers.forPartition(2);
    SwitchboardConfig next =
        new ConfigLoader(Map.<String, String>of()::get)
            .parse(
                """
      model_list:
        - {model_name: a, deployment_id: a1, api_base: "http://127.0.0.1:1", rpm: 120, tpm: 10000, lanes: 2, weight: 5}
        - {model_name: b, deployment_id: b1, api_base: "http://127.0.0.1:1", rpm: 90}
      """,
                "next.yaml");

    Map<Integer, LanePacer> replaced = pacers.reconfigure(next);

    assertThat(replaced).containsOnlyKeys(2);
    assertThat(pacers.forPartition(0)).isSameAs(a0);
    assertThat(pacers.forPartition(2)).isNotSameAs(b0).isSameAs(replaced.get(2));
    assertThat(pacers.forPartition(2).requestLimit()).isEqualTo(90);
  }
}
