package io.switchboard.worker.internal;

import static io.switchboard.schemas.Priority.DEFAULT;
import static io.switchboard.worker.internal.Fixtures.config;
import static io.switchboard.worker.internal.Fixtures.take;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.Priority;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.WorkerSettings;
import io.switchboard.testkit.time.MutableClock;
import io.switchboard.worker.offsets.OffsetCodec;
import io.switchboard.worker.offsets.PartitionOffsets;
import io.switchboard.worker.pacing.LanePacer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LaneTest {
  static final int READ_AHEAD = WorkerSettings.DEFAULT.batchReadAhead();

  static final SwitchboardConfig CONFIG = config("");
  static final MutableClock CLOCK = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  static final ProducerRecord<String, byte[]> RESULT =
      new ProducerRecord<>("replies", "k", new byte[] {1});

  @Test
  void recordsFinishedByAnEarlierOwnerAreSkipped() {
    TreeSet<Long> finished = new TreeSet<>(List.of(11L, 12L));
    Lane lane =
        new Lane(
            new TopicPartition(Fixtures.DISPATCH, 0),
            new LanePacer(null, null, CLOCK),
            PartitionOffsets.restore(10, OffsetCodec.encode(10, finished)));
    assertThat(lane.admit(10)).isEqualTo(Lane.Admission.TAKE);
    assertThat(lane.admit(11)).isEqualTo(Lane.Admission.SKIP);
    assertThat(lane.admit(12)).isEqualTo(Lane.Admission.SKIP);
    assertThat(lane.admit(13)).isEqualTo(Lane.Admission.TAKE);
    assertThat(lane.admit(13)).as("delivered again after a seek").isEqualTo(Lane.Admission.SKIP);
  }

  @Test
  void aLaneWithNothingCommittedStartsAtItsFirstRecord() {
    Lane lane =
        new Lane(new TopicPartition(Fixtures.DISPATCH, 0), new LanePacer(null, null, CLOCK), null);
    assertThat(lane.canTakeMore(1, READ_AHEAD)).isTrue();
    assertThat(lane.admit(500)).isEqualTo(Lane.Admission.TAKE);
    lane.finished(500, List.of(RESULT));
    assertThat(lane.toCommit().position().offset()).isEqualTo(501);
  }

  @Test
  void aRecordWithoutRoomInTheMetadataIsHeldBackWithTheRestOfItsFetch() {
    Lane lane = Fixtures.lane(CLOCK);
    long offset = 0;
    Lane.Admission admission;
    while ((admission = lane.admit(offset)) == Lane.Admission.TAKE) {
      if (offset > 0) {
        lane.finished(
            offset, List.of()); // offset 0 stays unfinished: the commit point does not move
      }
      offset++;
    }
    long heldBack = offset;
    assertThat(admission).isEqualTo(Lane.Admission.HOLD_BACK);
    assertThat(heldBack).isGreaterThan(24_000);
    assertThat(lane.paused()).isTrue();
    assertThat(lane.admit(heldBack + 1)).as("the rest of the fetch").isEqualTo(Lane.Admission.SKIP);
    assertThat(lane.canTakeMore(Integer.MAX_VALUE, READ_AHEAD)).isFalse();
    assertThat(lane.toCommit().position().metadata().length())
        .isLessThanOrEqualTo(PartitionOffsets.METADATA_LIMIT);

    lane.finished(0, List.of());
    assertThat(lane.canTakeMore(Integer.MAX_VALUE, READ_AHEAD))
        .as("the commit point moved past the held-back record")
        .isTrue();
    assertThat(lane.markPaused(false)).isTrue();
    assertThat(lane.admit(heldBack))
        .as("fetched again after resuming")
        .isEqualTo(Lane.Admission.TAKE);
  }

  @Test
  void aJobIsActiveFromItsFirstCallUntilItFinishes() {
    Lane lane = Fixtures.lane(CLOCK);
    Job first = take(lane, CONFIG, 0, null);
    Job second = take(lane, CONFIG, 1, null);
    assertThat(lane.nextNew(DEFAULT, 1)).isSameAs(first);
    lane.started(first);
    assertThat(lane.active()).isEqualTo(1);
    assertThat(lane.nextNew(DEFAULT, 1)).as("window of one is full").isNull();
    assertThat(lane.nextNew(DEFAULT, 2)).isSameAs(second);

    lane.retryDue(first);
    assertThat(lane.nextRetry(DEFAULT)).isSameAs(first);
    lane.started(first);
    assertThat(lane.nextRetry(DEFAULT)).isNull();
    assertThat(lane.active()).as("a retry is the same job").isEqualTo(1);

    lane.finished(first, List.of(RESULT));
    assertThat(lane.active()).isZero();
    assertThat(lane.busy()).as("the second waits in the queue").isTrue();
    lane.finished(second, List.of(RESULT));
    assertThat(lane.busy()).isFalse();
    assertThat(lane.nextNew(DEFAULT, 1)).isNull();
  }

  @Test
  void dispatchesQueuedOrStartedAreHeldUntilTheyFinish() {
    Lane lane = Fixtures.lane(CLOCK);
    Job first = take(lane, CONFIG, 0, null);
    Job second = take(lane, CONFIG, 1, null);
    lane.started(first);
    lane.retryDue(first);
    Map<String, Integer> held = new HashMap<>(Map.of("fast", 1));
    lane.countHeld(held);
    assertThat(held).as("added to what other lanes hold").containsExactly(Map.entry("fast", 3));
    lane.finished(first, List.of(RESULT));
    lane.finished(second, List.of(RESULT));
    held.clear();
    lane.countHeld(held);
    assertThat(held).isEmpty();
  }

  @Test
  void aLeavingLaneStartsNothingNewFromItsQueue() {
    Lane lane = Fixtures.lane(CLOCK);
    take(lane, CONFIG, 0, null);
    lane.leave();
    assertThat(lane.nextNew(DEFAULT, 10)).isNull();
  }

  @Test
  void resultsAreCommittedWithTheOffsetsThatFinishThem() {
    Lane lane = Fixtures.lane(CLOCK);
    Job first = take(lane, CONFIG, 0, null);
    Job second = take(lane, CONFIG, 1, null);
    assertThat(lane.uncommitted()).isFalse();
    lane.started(first);
    lane.started(second);
    lane.finished(second, List.of(RESULT));
    assertThat(lane.uncommitted()).isTrue();
    Lane.Commit commit = lane.toCommit();
    assertThat(commit.partition()).isEqualTo(new TopicPartition(Fixtures.DISPATCH, 0));
    assertThat(commit.position().offset()).as("the first is still in flight").isZero();
    assertThat(OffsetCodec.decode(0, commit.position().metadata())).containsExactly(1L);
    assertThat(commit.results()).containsExactly(RESULT);

    lane.committed();
    assertThat(lane.uncommitted()).isFalse();
    lane.finished(first, List.of());
    assertThat(lane.toCommit().results()).as("published results are not published again").isEmpty();
    assertThat(lane.toCommit().position().offset()).isEqualTo(2);
  }

  @Test
  void resultsWaitWhileTheFinishedOffsetsDoNotFitTheCommitMetadata() {
    PartitionOffsets offsets = PartitionOffsets.startingAt(0);
    for (long o = 0; o < 60_000; o++) {
      offsets.dispatch(o); // past the room a lane would take, to reach the limit
    }
    Lane lane =
        new Lane(
            new TopicPartition(Fixtures.DISPATCH, 0), new LanePacer(null, null, CLOCK), offsets);
    for (long o = 1; o < 60_000; o += 2) {
      lane.finished(o, List.of(RESULT));
    }
    assertThat(lane.uncommitted()).isTrue();
    assertThat(lane.toCommit()).as("neither offsets nor results").isNull();
    assertThat(lane.toCommit()).isNull();

    for (long o = 0; o < 60_000; o += 2) {
      lane.finished(o, List.of());
    }
    Lane.Commit commit = lane.toCommit();
    assertThat(commit.position().offset()).isEqualTo(60_000);
    assertThat(commit.results()).as("every result held back").hasSize(30_000);
  }

  @Test
  void aLaneReadsPastWaitingBatchDispatchesButNotPastOthers() {
    Lane lane = Fixtures.lane(CLOCK);
    Job started = Fixtures.takeOfClass(lane, CONFIG, 0, Priority.BATCH);
    lane.started(started);
    assertThat(lane.canTakeMore(1, READ_AHEAD)).as("window full, nothing waiting").isFalse();
    Fixtures.takeOfClass(lane, CONFIG, 1, Priority.BATCH);
    assertThat(lane.canTakeMore(1, READ_AHEAD)).as("only batch waits: read past it").isTrue();
    Job interactive = Fixtures.takeOfClass(lane, CONFIG, 2, Priority.INTERACTIVE);
    assertThat(lane.canTakeMore(1, READ_AHEAD)).as("an interactive dispatch waits").isFalse();
    lane.started(interactive);
    assertThat(lane.canTakeMore(1, READ_AHEAD)).isTrue();
    Fixtures.takeOfClass(lane, CONFIG, 3, Priority.DEFAULT);
    assertThat(lane.canTakeMore(Integer.MAX_VALUE, READ_AHEAD))
        .as("a default dispatch waits")
        .isFalse();
  }

  @Test
  void aLaneReadsPastBatchDispatchesOnlyUpToItsReadAhead() {
    Lane lane = Fixtures.lane(CLOCK);
    long offset = 0;
    for (; offset < READ_AHEAD - 1; offset++) {
      Fixtures.takeOfClass(lane, CONFIG, offset, Priority.BATCH);
    }
    assertThat(lane.canTakeMore(1, READ_AHEAD)).isTrue();
    Fixtures.takeOfClass(lane, CONFIG, offset, Priority.BATCH);
    assertThat(lane.queued()).isEqualTo(READ_AHEAD);
    assertThat(lane.canTakeMore(1, READ_AHEAD)).isFalse();
  }

  @Test
  void theReadAheadIsTheConfiguredOneAndZeroPausesAsSoonAsABatchDispatchWaits() {
    Lane lane = Fixtures.lane(CLOCK);
    Fixtures.takeOfClass(lane, CONFIG, 0, Priority.BATCH);
    Fixtures.takeOfClass(lane, CONFIG, 1, Priority.BATCH);
    assertThat(lane.canTakeMore(1, 3)).isTrue();
    Fixtures.takeOfClass(lane, CONFIG, 2, Priority.BATCH);
    assertThat(lane.canTakeMore(1, 3)).isFalse();
    assertThat(lane.canTakeMore(Integer.MAX_VALUE, 0)).isFalse();
  }

  @Test
  void aLaneRepacedByANewConfigSettlesOnlyThePermitsOfItsNewPacer() {
    LanePacer old = new LanePacer(null, 1_000, CLOCK);
    Lane lane = Fixtures.lane(old);
    LanePacer.Permit before = lane.acquire(100).orElseThrow();
    LanePacer next = new LanePacer(null, 2_000, CLOCK);

    lane.repace(next);
    LanePacer.Permit after = lane.acquire(100).orElseThrow();
    lane.settle(before, 900);
    lane.settle(after, 300);

    assertThat(lane.pacer()).isSameAs(next);
    assertThat(next.tokensInWindow()).as("only its own permit, settled at 300").isEqualTo(300);
  }
}
