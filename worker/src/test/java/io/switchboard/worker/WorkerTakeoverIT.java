package io.switchboard.worker;

import static io.switchboard.worker.WorkerHarness.body;
import static io.switchboard.worker.WorkerHarness.dispatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Call;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Workers of one group on the real broker: a worker that stops mid-load (closed, or abandoned as a
 * crashed process would be) is replaced without losing or doubling a reply, and two workers
 * together stay within a deployment's rpm. A closed worker, and a worker giving up partitions in a
 * rebalance, finish their calls in flight: no provider call is made twice. A crashed one cannot:
 * its calls are made again by the new owner (counted).
 */
@Timeout(120)
class WorkerTakeoverIT extends BrokerAndMock {
  static final Map<String, String> FAST_SESSIONS =
      Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000");

  /**
   * @param fields more fields of the deployment, e.g. {@code ", rpm: 12"}
   */
  WorkerHarness harness(String prefix, String deployment, int lanes, String fields)
      throws InterruptedException {
    String yaml =
        """
        model_list:
          - {model_name: %2$s, api_base: "%1$s/d/%2$s/v1", lanes: %3$d, max_retries: 0%5$s}
        worker_settings: {group_id: %4$s-workers, shutdown_grace_ms: 3000, max_in_flight_per_lane: 50}
        """
            .formatted(mock.baseUrl(), deployment, lanes, prefix, fields);
    return new WorkerHarness(broker, prefix, yaml, FAST_SESSIONS);
  }

  /**
   * Sends {@code n} dispatches over about {@code millis}, calling {@code at} with the count sent so
   * far after each.
   */
  static void sendSpread(
      WorkerHarness h, String deployment, String prefix, int n, long millis, Consumer<Integer> at)
      throws InterruptedException {
    for (int i = 0; i < n; i++) {
      h.send(dispatch(prefix + "-" + i, deployment));
      at.accept(i + 1);
      Thread.sleep(millis / n);
    }
  }

  /**
   * Waits until every id has a reply, then a little longer for any duplicate, and counts replies
   * per id.
   */
  static Map<String, Integer> repliesPerId(TopicTap tap, WorkerHarness h, String prefix, int n)
      throws InterruptedException {
    String topic = h.topics.replies().name();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> tap.all(topic).stream().map(ConsumerRecord::key).distinct().count() >= n);
    Thread.sleep(2000);
    Map<String, Integer> counts = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : tap.all(topic)) {
      counts.merge(r.key(), 1, Integer::sum);
    }
    for (int i = 0; i < n; i++) {
      counts.putIfAbsent(prefix + "-" + i, 0);
    }
    return counts;
  }

  /** Request ids the mock saw more than once, with their call counts. */
  static Map<String, Long> repeatedCalls(String deployment) {
    Map<String, Long> perId =
        mock.calls(deployment).stream()
            .collect(Collectors.groupingBy(Call::requestId, TreeMap::new, Collectors.counting()));
    perId.values().removeIf(count -> count == 1);
    return perId;
  }

  @Test
  void closedWorkerIsReplacedAndEveryRequestHasExactlyOneReply() throws Exception {
    // Calls long enough that some are in flight at the join and at the close, even when a loaded
    // machine sends slower than planned.
    mock.behave("close-dep", Behavior.ok().withLatencyMs(600));
    int n = 400;
    try (WorkerHarness h = harness("close", "close-dep", 4, "");
        TopicTap tap =
            new TopicTap(broker.bootstrapServers(), List.of(h.topics.replies().name()))) {
      Worker first = new Worker(h.config, Clock.systemUTC(), k -> null);
      Worker second = new Worker(h.config, Clock.systemUTC(), k -> null);
      first.start();
      AtomicInteger inFlightAtJoin = new AtomicInteger(-1);
      AtomicInteger inFlightAtClose = new AtomicInteger(-1);
      try {
        sendSpread(
            h,
            "close-dep",
            "close",
            n,
            4000,
            sent -> {
              if (sent == n / 4) {
                inFlightAtJoin.set(first.inFlight());
                second.start();
                // Load resumes once both own lanes, so the first has calls in flight when it
                // closes.
                await()
                    .atMost(Duration.ofSeconds(30))
                    .until(
                        () ->
                            first.ownedLanes() > 0
                                && second.ownedLanes() > 0
                                && first.ownedLanes() + second.ownedLanes() == 4);
              } else if (sent == n / 2) {
                inFlightAtClose.set(first.inFlight());
                first.close();
              }
            });
        Map<String, Integer> counts = repliesPerId(tap, h, "close", n);
        assertThat(counts).hasSize(n);
        assertThat(counts.values()).as("replies per request").containsOnly(1);
        assertThat(tap.all(h.topics.replies().name()))
            .allSatisfy(
                r ->
                    assertThat(Json.read(r.value(), RouteReply.class).status())
                        .isEqualTo(ReplyStatus.OK));
        // The calls in flight when the second worker joined (a rebalance) and when the first was
        // closed (a drain) were finished by the first worker, not made again by the second.
        assertThat(inFlightAtJoin.get())
            .as("calls in flight when the second worker joined")
            .isPositive();
        assertThat(inFlightAtClose.get())
            .as("calls in flight when the first worker was closed")
            .isPositive();
        assertThat(repeatedCalls("close-dep")).as("requests called more than once").isEmpty();
        assertThat(mock.calls("close-dep")).hasSize(n);
      } finally {
        first.close();
        second.close();
      }
    }
  }

  @Test
  void abandonedWorkerIsReplacedAndEveryRequestHasExactlyOneReply() throws Exception {
    mock.behave("crash-dep", Behavior.ok().withLatencyMs(300));
    int n = 300;
    try (WorkerHarness h = harness("crash", "crash-dep", 4, "");
        TopicTap tap =
            new TopicTap(broker.bootstrapServers(), List.of(h.topics.replies().name()))) {
      Worker first = new Worker(h.config, Clock.systemUTC(), k -> null);
      Worker second = new Worker(h.config, Clock.systemUTC(), k -> null);
      first.start();
      second.start();
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    first.ownedLanes() > 0
                        && second.ownedLanes() > 0
                        && first.ownedLanes() + second.ownedLanes() == 4);
        AtomicInteger inFlightAtCrash = new AtomicInteger(-1);
        sendSpread(
            h,
            "crash-dep",
            "crash",
            n,
            3000,
            sent -> {
              if (sent == n / 2) {
                inFlightAtCrash.set(first.inFlight());
                first.abandon();
              }
            });
        Map<String, Integer> counts = repliesPerId(tap, h, "crash", n);
        assertThat(counts).hasSize(n);
        assertThat(counts.values()).as("replies per request").containsOnly(1);
        assertThat(inFlightAtCrash.get())
            .as("calls in flight in the abandoned worker")
            .isPositive();
        long repeated = mock.calls("crash-dep").stream().map(c -> c.requestId()).distinct().count();
        assertThat(mock.calls("crash-dep").size())
            .as("calls, some repeated after the crash")
            .isGreaterThan((int) repeated);
      } finally {
        first.close();
        second.close();
      }
    }
  }

  @Test
  void twoWorkersStayWithinTheDeploymentRpm() throws Exception {
    int rpm = 12;
    int n = 40;
    mock.behave("paced", Behavior.ok());
    try (WorkerHarness h = harness("pace", "paced", 2, ", rpm: " + rpm);
        TopicTap tap =
            new TopicTap(broker.bootstrapServers(), List.of(h.topics.replies().name()))) {
      Worker first = new Worker(h.config, Clock.systemUTC(), k -> null);
      Worker second = new Worker(h.config, Clock.systemUTC(), k -> null);
      first.start();
      second.start();
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> first.ownedLanes() == 1 && second.ownedLanes() == 1);
        Instant deadline = Instant.now().plusSeconds(6);
        for (int i = 0; i < n; i++) {
          String id = "pace-" + i;
          h.send(
              dispatch(
                  id, "paced", RouteRequest.of(id, "paced", body("hi")).withDeadline(deadline)));
        }
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> first.pausedLanes() + second.pausedLanes() > 0);
        Map<String, Integer> counts = repliesPerId(tap, h, "pace", n);
        assertThat(counts.values()).containsOnly(1);
        List<RouteReply> replies =
            tap.all(h.topics.replies().name()).stream()
                .map(r -> Json.read(r.value(), RouteReply.class))
                .toList();
        assertThat(replies.stream().filter(r -> r.status() == ReplyStatus.OK)).hasSize(rpm);
        assertThat(replies.stream().filter(r -> r.status() == ReplyStatus.EXPIRED))
            .hasSize(n - rpm);
        assertThat(mock.calls("paced")).hasSize(rpm);
        assertThat(mock.maxCallsInAnyWindow("paced", Duration.ofSeconds(60)))
            .isLessThanOrEqualTo(rpm);
      } finally {
        first.close();
        second.close();
      }
    }
  }
}
