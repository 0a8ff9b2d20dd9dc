package io.switchboard.worker.internal;

import static io.switchboard.worker.internal.Fixtures.config;
import static io.switchboard.worker.internal.Fixtures.reply;
import static io.switchboard.worker.internal.Fixtures.results;
import static io.switchboard.worker.internal.Fixtures.take;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.config.PriorityReserve;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.WorkerSettings;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.time.MutableClock;
import io.switchboard.worker.pacing.LanePacer;
import io.switchboard.worker.provider.ProviderResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class LaneSchedulerTest {
  static final SwitchboardConfig CONFIG = config("");
  static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

  final MutableClock clock = new MutableClock(START);
  final Map<String, Instant> cooldowns = new HashMap<>();
  final List<Job> launched = new ArrayList<>();
  final Set<String> removed = new HashSet<>();

  LaneScheduler scheduler(int window) {
    return new LaneScheduler(
        window,
        WorkerSettings.DEFAULT.batchReadAhead(),
        clock,
        id -> Optional.ofNullable(cooldowns.get(id)),
        id -> !removed.contains(id),
        Fixtures.outputs(CONFIG),
        (lane, job, permit, now) -> launched.add(job));
  }

  @Test
  void dispatchesStartInOffsetOrderWithinTheWindow() {
    Lane lane = Fixtures.lane(clock);
    Job a = take(lane, CONFIG, 0, null);
    Job b = take(lane, CONFIG, 1, null);
    take(lane, CONFIG, 2, null);
    scheduler(2).startWork(List.of(lane), false);
    assertThat(launched).containsExactly(a, b);
    assertThat(lane.active()).isEqualTo(2);
  }

  @Test
  void retriesDueStartBeforeNewDispatchesAndDoNotWidenTheWindow() {
    Lane lane = Fixtures.lane(clock);
    LaneScheduler scheduler = scheduler(3);
    Job a = take(lane, CONFIG, 0, null);
    Job b = take(lane, CONFIG, 1, null);
    Job c = take(lane, CONFIG, 2, null);
    Job d = take(lane, CONFIG, 3, null);
    Job e = take(lane, CONFIG, 4, null);
    scheduler.startWork(List.of(lane), false);
    assertThat(launched).containsExactly(a, b, c);

    lane.finished(b, List.of());
    lane.retryDue(a);
    scheduler.startWork(List.of(lane), false);
    assertThat(launched)
        .as("the retry first, then one new in the room b left")
        .containsExactly(a, b, c, a, d);
    assertThat(lane.active()).isEqualTo(3);
    assertThat(lane.nextNew(Priority.DEFAULT, 4)).as("e waits for room").isSameAs(e);
  }

  @Test
  void withoutAPermitTheLaneWaitsForItsPacerOrAnEarlierDeadline() {
    Lane lane = Fixtures.lane(new LanePacer(1, null, clock));
    LaneScheduler scheduler = scheduler(10);
    Job a = take(lane, CONFIG, 0, null);
    Job b = take(lane, CONFIG, 1, START.plusSeconds(10));
    scheduler.startWork(List.of(lane), false);
    assertThat(launched).containsExactly(a);
    assertThat(lane.waiting(clock.millis())).isTrue();

    clock.advance(Duration.ofMillis(9_999));
    assertThat(lane.waiting(clock.millis()))
        .as("until the head's deadline, not the pacer's minute")
        .isTrue();
    clock.advance(Duration.ofMillis(1));
    assertThat(lane.waiting(clock.millis())).isFalse();
    scheduler.startWork(List.of(lane), false);
    assertThat(launched).containsExactly(a);
    RouteReply expired = reply(results(lane).get(0));
    assertThat(expired.id()).isEqualTo(b.id());
    assertThat(expired.status()).isEqualTo(ReplyStatus.EXPIRED);
    assertThat(expired.error().message())
        .contains("passed before the provider call to deployment 'fast'");
  }

  @Test
  void aPacedLaneStartsAgainWhenItsWindowHasRoom() {
    Lane lane = Fixtures.lane(new LanePacer(1, null, clock));
    LaneScheduler scheduler = scheduler(10);
    Job a = take(lane, CONFIG, 0, null);
    Job b = take(lane, CONFIG, 1, null);
    scheduler.startWork(List.of(lane), false);
    clock.advance(Duration.ofMillis(LanePacer.WINDOW_MS - 1));
    scheduler.startWork(List.of(lane), false);
    assertThat(launched).containsExactly(a);
    clock.advance(Duration.ofMillis(1));
    scheduler.startWork(List.of(lane), false);
    assertThat(launched).containsExactly(a, b);
  }

  @Test
  void aRetryPastItsDeadlineIsAnsweredExpiredAndLeavesTheWindow() {
    Lane lane = Fixtures.lane(clock);
    LaneScheduler scheduler = scheduler(1);
    Job a = take(lane, CONFIG, 0, START.plusSeconds(1));
    scheduler.startWork(List.of(lane), false);
    a.attempted(
        Outputs.attempt(
            a,
            ProviderResponse.http(500, Map.of(), null, null, Duration.ofMillis(5)),
            Outcome.RETRY,
            null,
            START),
        true);
    lane.retryDue(a);
    clock.advance(Duration.ofSeconds(1));
    scheduler.startWork(List.of(lane), false);
    assertThat(launched).containsExactly(a);
    assertThat(lane.active()).isZero();
    RouteReply expired = reply(results(lane).get(0));
    assertThat(expired.status()).isEqualTo(ReplyStatus.EXPIRED);
    assertThat(expired.error().code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
    assertThat(expired.error().message()).contains("passed before retry 1 to deployment 'fast'");
  }

  @Test
  void aDispatchForACoolingDeploymentIsHandedBackWithoutACall() {
    Lane lane = Fixtures.lane(clock);
    take(lane, CONFIG, 0, null);
    cooldowns.put("fast", START.plusSeconds(30));
    scheduler(1).startWork(List.of(lane), false);
    assertThat(launched).isEmpty();
    ProducerRecord<String, byte[]> handoff = results(lane).get(0);
    assertThat(handoff.topic()).isEqualTo("switchboard.fallbacks");
    Dispatch back = Json.read(handoff.value(), Dispatch.class);
    assertThat(back.handoff().reason()).isEqualTo(Outcome.FALLBACK);
    assertThat(back.handoff().detail()).contains("cooling down until " + START.plusSeconds(30));
  }

  @Test
  void aQueuedJobOfADeploymentRemovedFromTheConfigGoesBackToTheRouterWithoutACall() {
    Lane lane = Fixtures.lane(clock);
    take(lane, CONFIG, 0, null);
    removed.add("fast");
    scheduler(1).startWork(List.of(lane), false);
    assertThat(launched).isEmpty();
    ProducerRecord<String, byte[]> handoff = results(lane).get(0);
    assertThat(handoff.topic()).isEqualTo("switchboard.fallbacks");
    Dispatch back = Json.read(handoff.value(), Dispatch.class);
    assertThat(back.handoff().reason()).isEqualTo(Outcome.FALLBACK);
    assertThat(back.handoff().detail()).contains("'fast' was removed from the config");
  }

  @Test
  void drainingStartsRetriesButNoNewDispatches() {
    Lane lane = Fixtures.lane(clock);
    LaneScheduler scheduler = scheduler(5);
    Job a = take(lane, CONFIG, 0, null);
    scheduler.startWork(List.of(lane), false);
    take(lane, CONFIG, 1, null);
    lane.retryDue(a);
    scheduler.startWork(List.of(lane), true);
    assertThat(launched).containsExactly(a, a);
    assertThat(lane.busy()).isTrue();
  }

  @Test
  void aLaneIsPausedWhileItCannotTakeMoreAndResumedWhenItCan() {
    Lane lane = Fixtures.lane(clock);
    LaneScheduler scheduler = scheduler(1);
    Job a = take(lane, CONFIG, 0, null);
    LaneScheduler.Pauses queued = scheduler.pauses(List.of(lane), false);
    assertThat(queued.pause()).containsExactly(lane.partition());
    assertThat(queued.paused()).isEqualTo(1);

    scheduler.startWork(List.of(lane), false);
    LaneScheduler.Pauses full = scheduler.pauses(List.of(lane), false);
    assertThat(full.pause()).as("already paused").isEmpty();
    assertThat(full.resume()).isEmpty();
    assertThat(full.paused()).isEqualTo(1);

    lane.finished(a, List.of());
    LaneScheduler.Pauses room = scheduler.pauses(List.of(lane), false);
    assertThat(room.resume()).containsExactly(lane.partition());
    assertThat(room.paused()).isZero();

    LaneScheduler.Pauses draining = scheduler.pauses(List.of(lane), true);
    assertThat(draining.pause()).containsExactly(lane.partition());
    assertThat(draining.paused()).isEqualTo(1);
  }

  @Test
  void aLaneWithoutRoomInTheCommitMetadataStaysPausedUntilTheCommitPointMoves() {
    Lane lane = Fixtures.lane(clock);
    LaneScheduler scheduler = scheduler(Integer.MAX_VALUE);
    long offset = 0;
    while (lane.admit(offset) == Lane.Admission.TAKE) {
      if (offset > 0) {
        lane.finished(offset, List.of());
      }
      offset++;
    }
    assertThat(scheduler.pauses(List.of(lane), false).paused()).isEqualTo(1);
    lane.finished(0, List.of());
    LaneScheduler.Pauses moved = scheduler.pauses(List.of(lane), false);
    assertThat(moved.paused()).isZero();
    assertThat(moved.resume()).containsExactly(lane.partition());
  }

  @Test
  void interactiveDispatchesStartBeforeBatchOnesFetchedEarlier() {
    Lane lane = Fixtures.lane(new LanePacer(3, null, clock));
    LaneScheduler scheduler = scheduler(10);
    Job batch0 = Fixtures.takeOfClass(lane, CONFIG, 0, Priority.BATCH);
    Fixtures.takeOfClass(lane, CONFIG, 1, Priority.BATCH);
    Job default2 = Fixtures.takeOfClass(lane, CONFIG, 2, Priority.DEFAULT);
    Job interactive3 = Fixtures.takeOfClass(lane, CONFIG, 3, Priority.INTERACTIVE);
    scheduler.startWork(List.of(lane), false);
    assertThat(launched)
        .as("the pacer's three permits, highest class first")
        .containsExactly(interactive3, default2, batch0);
  }

  @Test
  void batchKeepsItsReserveWhenInteractiveTrafficSaturatesTheLane() {
    PriorityReserve reserve = PriorityReserve.fromWire(Map.of("batch", 0.2));
    Lane lane = Fixtures.lane(new LanePacer(10, null, null, 0, reserve, clock));
    LaneScheduler scheduler = scheduler(100);
    List<Job> batch = new ArrayList<>();
    for (int offset = 0; offset < 5; offset++) {
      batch.add(Fixtures.takeOfClass(lane, CONFIG, offset, Priority.BATCH));
    }
    for (int offset = 5; offset < 25; offset++) {
      Fixtures.takeOfClass(lane, CONFIG, offset, Priority.INTERACTIVE);
    }
    scheduler.startWork(List.of(lane), false);
    assertThat(launched).hasSize(10);
    assertThat(launched)
        .filteredOn(job -> job.priority() == Priority.INTERACTIVE)
        .as("interactive gets all but batch's reserve")
        .hasSize(8);
    assertThat(launched)
        .filteredOn(job -> job.priority() == Priority.BATCH)
        .as("batch gets its reserve, 20% of 10")
        .containsExactly(batch.get(0), batch.get(1));
  }

  @Test
  void aClassWithAReserveStartsAtOnceWhenAnotherHasFilledTheWindow() {
    PriorityReserve reserve = PriorityReserve.fromWire(Map.of("interactive", 0.1));
    Lane lane = Fixtures.lane(new LanePacer(20, null, null, 0, reserve, clock));
    LaneScheduler scheduler = scheduler(100);
    for (int offset = 0; offset < 30; offset++) {
      Fixtures.takeOfClass(lane, CONFIG, offset, Priority.BATCH);
    }
    scheduler.startWork(List.of(lane), false);
    assertThat(launched).as("batch gets all but interactive's reserve").hasSize(18);
    assertThat(lane.waiting(clock.millis())).isTrue();

    clock.advance(Duration.ofSeconds(5));
    Job first = Fixtures.takeOfClass(lane, CONFIG, 30, Priority.INTERACTIVE);
    Job second = Fixtures.takeOfClass(lane, CONFIG, 31, Priority.INTERACTIVE);
    Fixtures.takeOfClass(lane, CONFIG, 32, Priority.INTERACTIVE);
    scheduler.startWork(List.of(lane), false);
    assertThat(launched.subList(18, launched.size()))
        .as("its reserve at once, not after the batch's minute")
        .containsExactly(first, second);
  }
}
