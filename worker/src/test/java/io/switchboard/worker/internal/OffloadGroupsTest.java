package io.switchboard.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.OffloadJob;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.worker.pacing.LanePacer;
import io.switchboard.worker.retry.RetryBudget;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class OffloadGroupsTest {
  static final Instant START = Instant.parse("2026-11-22T10:00:00Z");
  final AtomicReference<Instant> now = new AtomicReference<>(START);
  final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };
  final SwitchboardConfig config =
      new ConfigLoader(k -> null)
          .parse(
              """
              model_list:
                - {model_name: offload, api_base: "http://localhost:1/v1", batch_api: openai,
                   batch_max_requests: 3, batch_max_wait_seconds: 10}
              """,
              "test");
  final Outputs outputs = Fixtures.outputs(config);
  final OffloadGroups groups = new OffloadGroups(clock, outputs);
  final Lane lane = Fixtures.lane(new LanePacer(null, null, clock));

  Job job(long offset, String priority) {
    ObjectNode envelope = Json.mapper().createObjectNode();
    envelope.put("id", "r" + offset);
    envelope.put("model", "offload");
    if (priority != null) {
      envelope.put("priority", priority);
    }
    envelope.set("body", Fixtures.body());
    Dispatch d =
        new Dispatch(
            Json.convert(envelope, RouteRequest.class),
            "offload",
            "offload",
            0,
            10,
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            null,
            START,
            START);
    var deployment = config.deployment("offload").orElseThrow();
    return new Job(offset, d, deployment, RetryBudget.of(deployment, config.routerSettings()));
  }

  boolean offer(long offset, String priority) {
    assertThat(lane.admit(offset)).isEqualTo(Lane.Admission.TAKE);
    return groups.offer(lane, job(offset, priority), 200);
  }

  static OffloadJob intent(ProducerRecord<String, byte[]> record) {
    return Json.read(record.value(), OffloadJob.class);
  }

  @Test
  void aFullGroupFinishesItsOffsetsWithTheJobIntentAsTheirOneResult() {
    assertThat(offer(0, "batch")).isTrue();
    assertThat(offer(1, "batch")).isTrue();
    assertThat(lane.uncommitted()).isFalse();
    assertThat(offer(2, "batch")).isTrue();

    Lane.Commit commit = lane.toCommit();
    assertThat(commit.position().offset()).isEqualTo(3);
    assertThat(commit.results()).hasSize(1);
    ProducerRecord<String, byte[]> record = commit.results().get(0);
    assertThat(record.topic()).isEqualTo("switchboard.offload-jobs");
    assertThat(record.key()).isEqualTo("sbj-offload-0-0");
    OffloadJob job = intent(record);
    assertThat(job.state()).isEqualTo(OffloadJob.State.PENDING);
    assertThat(job.offsets()).isEqualTo("0-2");
    assertThat(job.requests()).isEqualTo(3);
    assertThat(job.partition()).isZero();
    assertThat(groups.held()).isZero();
  }

  @Test
  void requestsOfOtherClassesAreLeftForRealTimeCalls() {
    assertThat(offer(0, null)).isFalse();
    assertThat(offer(1, "interactive")).isFalse();
    assertThat(groups.held()).isZero();
  }

  @Test
  void aGroupWaitsUntilBatchMaxWaitSecondsThenItsIntentGoesOut() {
    offer(0, "batch");
    assertThat(lane.admit(1)).isEqualTo(Lane.Admission.TAKE);
    lane.finished(1, List.of()); // a real-time request answered meanwhile
    offer(2, "batch");
    now.set(START.plus(Duration.ofSeconds(9)));
    groups.flush(List.of(lane), false);
    assertThat(lane.toCommit().position().offset())
        .as("the group's offsets hold the commit")
        .isZero();

    now.set(START.plus(Duration.ofSeconds(10)));
    groups.flush(List.of(lane), false);
    Lane.Commit commit = lane.toCommit();
    assertThat(commit.position().offset()).isEqualTo(3);
    assertThat(intent(commit.results().get(0)).offsets()).isEqualTo("0,2");
  }

  @Test
  void aLeavingLaneOrADrainingWorkerWritesItsGroupsAtOnce() {
    offer(0, "batch");
    lane.leave();
    groups.flush(List.of(lane), false);
    assertThat(lane.toCommit().results()).hasSize(1);
  }

  @Test
  void groupsOfALaneNoLongerOwnedAreDroppedUnwritten() {
    offer(0, "batch");
    groups.flush(List.of(), true);
    assertThat(groups.held()).isZero();
    assertThat(lane.toCommit().position().offset()).isZero();
    assertThat(lane.toCommit().results()).isEmpty();
  }
}
