package io.switchboard.router;

import static io.switchboard.router.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.router.internal.CountsSerde;
import io.switchboard.router.internal.Held;
import io.switchboard.router.internal.TopologyNames;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.time.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotation, budget and hold state survive a restart. The test driver deletes its state directory on
 * close, so the second driver gets its stores back the way Kafka Streams restores a task on a new
 * instance: by replaying the stores' changelog records that the first driver wrote. That proves the
 * changelog holds all the state the router needs; the broker test {@code RouterOnBrokerIT} restarts
 * a real router.
 */
class RestartTest {
  static final SwitchboardConfig CONFIG =
      Harness.config(
          """
      model_list:
        - {model_name: even, deployment_id: even-a, weight: 1}
        - {model_name: even, deployment_id: even-b, weight: 1}
        - {model_name: capped, deployment_id: capped-a, weight: 1, rpm: 2}
        - {model_name: capped, deployment_id: capped-b, weight: 1}
        - {model_name: lonely}
      topics: {request_partitions: 1}
      """);

  static final List<String> STORES =
      List.of(TopologyNames.ROTATION_STORE, TopologyNames.BUDGET_STORE, TopologyNames.HOLD_STORE);

  static final CountsSerde COUNTS = new CountsSerde();

  @TempDir Path stateDir;
  final Map<String, List<TestRecord<String, byte[]>>> changelogs = new HashMap<>();

  /** Kafka Streams' name for a store's changelog topic. */
  static String changelog(Harness h, String store) {
    return h.config.routerSettings().applicationId() + "-" + store + "-changelog";
  }

  void restore(Harness h) {
    for (String store : STORES) {
      KeyValueStore<String, Object> kv = h.driver.getKeyValueStore(store);
      assertThat(changelogs.get(store)).as("changelog of %s", store).isNotEmpty();
      for (TestRecord<String, byte[]> r : changelogs.get(store)) {
        if (r.value() == null) {
          kv.delete(r.key());
        } else {
          kv.put(
              r.key(),
              store.equals(TopologyNames.HOLD_STORE)
                  ? Json.read(r.value(), Held.class)
                  : COUNTS.deserialize(changelog(h, store), r.value()));
        }
      }
    }
  }

  @Test
  void countsBudgetsAndHoldsContinueAfterARestoreFromTheChangelog() {
    MutableClock clock = new MutableClock(Harness.NOW);
    Map<String, Integer> counts = new HashMap<>();
    changelogs.clear();
    try (Harness before = new Harness(CONFIG, clock, stateDir)) {
      for (int i = 0; i < 5; i++) {
        before.send(request("a" + i, "even"));
      }
      // capped-a's rpm of 2 is spent in this minute.
      for (int i = 0; i < 4; i++) {
        before.send(request("c" + i, "capped"));
      }
      before.cooling("lonely", Harness.NOW.plusSeconds(30));
      before.send(request("held", "lonely"));
      before
          .dispatch
          .readValuesToList()
          .forEach(d -> counts.merge(d.deploymentId(), 1, Integer::sum));
      for (String store : STORES) {
        changelogs.put(
            store,
            before
                .driver
                .createOutputTopic(
                    changelog(before, store), new StringDeserializer(), new ByteArrayDeserializer())
                .readRecordsToList());
      }
    }
    assertThat(counts)
        .containsEntry("even-a", 3)
        .containsEntry("even-b", 2)
        .containsEntry("capped-a", 2)
        .containsEntry("capped-b", 2)
        .doesNotContainKey("lonely");
    try (Harness after = new Harness(CONFIG, clock, stateDir)) {
      restore(after);
      for (int i = 5; i < 10; i++) {
        after.send(request("a" + i, "even"));
      }
      for (int i = 4; i < 6; i++) {
        after.send(request("c" + i, "capped"));
      }
      after
          .dispatch
          .readValuesToList()
          .forEach(d -> counts.merge(d.deploymentId(), 1, Integer::sum));
      // A fresh rotation would give 3/2 again (6/4 in total); the restored one evens out.
      assertThat(counts).containsEntry("even-a", 5).containsEntry("even-b", 5);
      // A fresh budget would let capped-a take another request in this minute.
      assertThat(counts).containsEntry("capped-a", 2).containsEntry("capped-b", 4);
      after.advance(Duration.ofSeconds(31));
      Dispatch released = after.dispatch.readValue();
      assertThat(released.id()).isEqualTo("held");
    }
  }
}
