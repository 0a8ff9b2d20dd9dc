package io.switchboard.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.LanePlan;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LanePartitionerTest {
  static final SwitchboardConfig CONFIG =
      new ConfigLoader(k -> null)
          .parse(
              """
      model_list:
        - {model_name: one, deployment_id: one}
        - {model_name: three, deployment_id: three, lanes: 3, rpm: 6000}
      """,
              "test");

  static Dispatch dispatch(String id, String deployment) {
    RouteRequest request =
        RouteRequest.of(
            id,
            deployment,
            (ObjectNode) Json.parse("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
    Instant now = Instant.parse("2026-11-22T10:00:00Z");
    return new Dispatch(
        request,
        deployment,
        deployment,
        0,
        0,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        null,
        now,
        now);
  }

  @Test
  void aDeploymentsPartitionsGetEqualSharesWhateverTheRequestIds() {
    LanePartitioner partitioner = new LanePartitioner(LanePlan.of(CONFIG));
    // Ids that a hash of the id would all have put on the same partition.
    Map<Integer, Integer> counts = new TreeMap<>();
    int sent = 0;
    for (int i = 0; sent < 3_000; i++) {
      String id = "req-" + i;
      if (Math.floorMod(id.hashCode(), 3) != 0) {
        continue;
      }
      sent++;
      Set<Integer> partitions =
          partitioner.partitions("dispatch", id, dispatch(id, "three"), 4).orElseThrow();
      assertThat(partitions).hasSize(1);
      counts.merge(partitions.iterator().next(), 1, Integer::sum);
    }
    assertThat(counts).isEqualTo(Map.of(1, 1_000, 2, 1_000, 3, 1_000));
  }

  @Test
  void aDeploymentWithOneLaneAlwaysGetsItsPartition() {
    LanePartitioner partitioner = new LanePartitioner(LanePlan.of(CONFIG));
    for (int i = 0; i < 10; i++) {
      assertThat(partitioner.partitions("dispatch", "r" + i, dispatch("r" + i, "one"), 4))
          .contains(Set.of(0));
    }
  }
}
