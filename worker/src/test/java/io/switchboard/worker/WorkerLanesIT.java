package io.switchboard.worker;

import static io.switchboard.worker.WorkerHarness.body;
import static io.switchboard.worker.WorkerHarness.dispatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Fault;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lanes on the real broker against the mock provider: a stuck deployment never holds up another on
 * the same worker, a cooldown one worker publishes is honoured by the others, and a lane keeps its
 * rate window through a rebalance.
 */
@Timeout(120)
class WorkerLanesIT extends BrokerAndMock {
  static final Duration WAIT = Duration.ofSeconds(60);

  static long replies(TopicTap tap, WorkerHarness h, String prefix) {
    return tap.all(h.topics.replies().name()).stream()
        .map(ConsumerRecord::key)
        .filter(k -> k.startsWith(prefix))
        .distinct()
        .count();
  }

  @Test
  void fastDeploymentIsAnsweredWhileItsNeighboursHangOrWaitForTheirRpm() throws Exception {
    mock.behave("iso-hung", Behavior.ok().withFault(Fault.HANG));
    mock.behave("iso-limited", Behavior.ok());
    mock.behave("iso-fast", Behavior.ok().withLatencyMs(20));
    String yaml =
        """
        model_list:
          - {model_name: iso-hung, api_base: "%1$s/d/iso-hung/v1", max_retries: 0, timeout_ms: 90000}
          - {model_name: iso-limited, api_base: "%1$s/d/iso-limited/v1", max_retries: 0, rpm: 2}
          - {model_name: iso-fast, api_base: "%1$s/d/iso-fast/v1", max_retries: 0}
        worker_settings: {group_id: iso-workers, shutdown_grace_ms: 500, max_in_flight_per_lane: 4}
        """
            .formatted(mock.baseUrl());
    try (WorkerHarness h = new WorkerHarness(broker, "iso", yaml, Map.of());
        TopicTap tap =
            new TopicTap(broker.bootstrapServers(), List.of(h.topics.replies().name()))) {
      Worker worker = new Worker(h.config, Clock.systemUTC(), k -> null);
      worker.start();
      try {
        for (int i = 0; i < 10; i++) {
          h.send(dispatch("iso-hung-" + i, "iso-hung"));
          h.send(dispatch("iso-limited-" + i, "iso-limited"));
        }
        await()
            .atMost(WAIT)
            .until(
                () -> mock.calls("iso-hung").size() == 4 && mock.calls("iso-limited").size() == 2);
        int fast = 60;
        for (int i = 0; i < fast; i++) {
          h.send(dispatch("iso-fast-" + i, "iso-fast"));
        }
        await().atMost(WAIT).until(() -> replies(tap, h, "iso-fast-") == fast);

        assertThat(tap.all(h.topics.replies().name()))
            .filteredOn(r -> r.key().startsWith("iso-fast-"))
            .hasSize(fast)
            .allSatisfy(
                r ->
                    assertThat(Json.read(r.value(), RouteReply.class).status())
                        .isEqualTo(ReplyStatus.OK));
        // Still stuck: the hung lane's window is full, the limited lane has spent its minute.
        assertThat(mock.calls("iso-hung"))
            .as("calls to the hung deployment: its window")
            .hasSize(4);
        assertThat(mock.calls("iso-limited"))
            .as("calls to the rpm-limited deployment: its rpm")
            .hasSize(2);
        assertThat(replies(tap, h, "iso-hung-")).as("hung dispatches answered").isZero();
        assertThat(replies(tap, h, "iso-limited-"))
            .as("rpm-limited dispatches answered")
            .isEqualTo(2);
        // The fast lane unpauses in the loop step that publishes its last reply.
        await()
            .atMost(WAIT)
            .untilAsserted(
                () ->
                    assertThat(worker.pausedLanes())
                        .as("paused lanes: the hung one and the limited one")
                        .isEqualTo(2));
        assertThat(mock.calls("iso-fast")).hasSize(fast);
      } finally {
        worker.close();
      }
    }
  }

  @Test
  void aCooldownPublishedByOneWorkerIsHonouredByAnother() throws Exception {
    mock.behave("cool", Behavior.ok().withRequiredKey("sk-right-0123456789abcdef"));
    String yaml =
        """
        model_list:
          - {model_name: cool, api_base: "%1$s/d/cool/v1", max_retries: 0, lanes: 2}
        router_settings: {cooldown_seconds: 60}
        worker_settings: {group_id: cool-workers, shutdown_grace_ms: 2000}
        """
            .formatted(mock.baseUrl());
    try (WorkerHarness h = new WorkerHarness(broker, "cool", yaml, WorkerTakeoverIT.FAST_SESSIONS);
        TopicTap tap =
            new TopicTap(
                broker.bootstrapServers(),
                List.of(h.topics.fallbacks().name(), h.topics.health().name()))) {
      Worker first = new Worker(h.config, Clock.systemUTC(), k -> null);
      Worker second = new Worker(h.config, Clock.systemUTC(), k -> null);
      first.start();
      second.start();
      try {
        await().atMost(WAIT).until(() -> first.ownedLanes() == 1 && second.ownedLanes() == 1);
        // Lane 0 answers 401 (no key is configured): its owner starts a cooldown and publishes it.
        h.sendRaw(0, "cool-1", Json.toBytes(dispatch("cool-1", "cool")));
        await().atMost(WAIT).until(() -> !tap.records(h.topics.health().name(), "cool").isEmpty());
        // The owner of lane 1 had no failure of its own: it knows only from the health topic.
        await()
            .atMost(WAIT)
            .until(
                () ->
                    first.cooldownUntil("cool").isPresent()
                        && second.cooldownUntil("cool").isPresent());
        h.sendRaw(1, "cool-2", Json.toBytes(dispatch("cool-2", "cool")));
        await()
            .atMost(WAIT)
            .until(() -> !tap.records(h.topics.fallbacks().name(), "cool-2").isEmpty());

        Dispatch handoff = tap.values(h.topics.fallbacks().name(), "cool-2", Dispatch.class).get(0);
        assertThat(handoff.handoff().reason()).isEqualTo(Outcome.FALLBACK);
        assertThat(handoff.handoff().detail()).contains("cooling down");
        assertThat(handoff.attempts()).isEmpty();
        assertThat(mock.calls("cool"))
            .as("calls: only the first dispatch's")
            .singleElement()
            .satisfies(c -> assertThat(c.requestId()).isEqualTo("cool-1"));
      } finally {
        first.close();
        second.close();
      }
    }
  }

  @Test
  void aLaneKeepsItsRateWindowThroughARebalance() throws Exception {
    int rpm = 3;
    mock.behave("keep", Behavior.ok());
    String yaml =
        """
        model_list:
          - {model_name: keep, api_base: "%1$s/d/keep/v1", max_retries: 0, rpm: %2$d}
        worker_settings: {group_id: keep-workers, shutdown_grace_ms: 2000}
        """
            .formatted(mock.baseUrl(), rpm);
    try (WorkerHarness h = new WorkerHarness(broker, "keep", yaml, WorkerTakeoverIT.FAST_SESSIONS);
        TopicTap tap =
            new TopicTap(broker.bootstrapServers(), List.of(h.topics.replies().name()))) {
      Worker worker = new Worker(h.config, Clock.systemUTC(), k -> null);
      worker.start();
      try {
        await().atMost(WAIT).until(() -> worker.ownedLanes() == 1);
        for (int i = 0; i < rpm; i++) {
          h.send(dispatch("keep-" + i, "keep"));
        }
        await().atMost(WAIT).until(() -> replies(tap, h, "keep-") == rpm);

        // A member joining the group (reading another topic) makes every member give up its
        // partitions and take them back: the worker's lane is revoked and assigned again.
        try (KafkaConsumer<String, byte[]> joiner = joiner(h)) {
          await()
              .atMost(WAIT)
              .pollInSameThread()
              .until(
                  () -> {
                    joiner.poll(Duration.ofMillis(100));
                    return !joiner.assignment().isEmpty();
                  });
          await().atMost(WAIT).until(() -> worker.ownedLanes() == 1);
          Instant deadline = Instant.now().plusSeconds(3);
          for (int i = rpm; i < 2 * rpm; i++) {
            String id = "keep-" + i;
            h.send(
                dispatch(
                    id, "keep", RouteRequest.of(id, "keep", body("hi")).withDeadline(deadline)));
          }
          await().atMost(WAIT).until(() -> replies(tap, h, "keep-") == 2L * rpm);
        }

        List<RouteReply> replies =
            tap.all(h.topics.replies().name()).stream()
                .map(r -> Json.read(r.value(), RouteReply.class))
                .toList();
        assertThat(replies).hasSize(2 * rpm);
        assertThat(replies.stream().filter(r -> r.status() == ReplyStatus.OK))
            .as("answered within the rpm")
            .hasSize(rpm);
        assertThat(replies.stream().filter(r -> r.status() == ReplyStatus.EXPIRED))
            .as("left for the next minute")
            .hasSize(rpm);
        assertThat(mock.calls("keep")).hasSize(rpm);
        assertThat(mock.maxCallsInAnyWindow("keep", Duration.ofSeconds(60)))
            .isLessThanOrEqualTo(rpm);
      } finally {
        worker.close();
      }
    }
  }

  /**
   * A consumer in the worker group that subscribes to the health topic, not to the dispatch topic.
   */
  static KafkaConsumer<String, byte[]> joiner(WorkerHarness h) {
    Properties p = new Properties();
    p.putAll(h.config.kafka());
    p.put("group.id", h.config.workerSettings().groupId());
    p.put("enable.auto.commit", "false");
    KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    c.subscribe(List.of(h.topics.health().name()));
    return c;
  }
}
