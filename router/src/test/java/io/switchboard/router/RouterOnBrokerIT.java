package io.switchboard.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Handoff;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.topics.Topic;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The router's flows on a real (in-process) Kafka broker: restarts, hand-offs, health, scale-out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class RouterOnBrokerIT {
  static final Clock FIXED = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);

  KafkaBroker broker;

  @BeforeAll
  void startBroker() {
    broker = KafkaBrokers.start();
  }

  @AfterAll
  void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /** A config whose topics and application id are private to one test. */
  SwitchboardConfig config(String name, int partitions, String models) {
    return Harness.config(
            models
                + """
        topics:
          requests: %1$s.requests
          dispatch: %1$s.dispatch
          fallbacks: %1$s.fallbacks
          replies: %1$s.replies
          metrics: %1$s.metrics
          health: %1$s.health
          dead_letter: %1$s.dead-letter
          request_partitions: %2$d
        reply_topics: ["%1$s.replies"]
        router_settings: {application_id: %1$s-router}
        """
                    .formatted(name, partitions))
        .withKafka(broker.clientProperties());
  }

  <V> KafkaProducer<String, V> producer(Serializer<V> values) {
    Properties p = new Properties();
    p.putAll(broker.clientProperties());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new StringSerializer(), values);
  }

  void sendRequests(SwitchboardConfig config, List<ProducerRecord<String, String>> records)
      throws ExecutionException, InterruptedException {
    try (KafkaProducer<String, String> producer = producer(new StringSerializer())) {
      for (ProducerRecord<String, String> r : records) {
        producer.send(r).get();
      }
    }
  }

  static ProducerRecord<String, String> request(
      SwitchboardConfig config, Integer partition, String id, String model) {
    return new ProducerRecord<>(
        config.topics().requests(), partition, id, Harness.request(id, model));
  }

  /** Reads the committed records of one topic from its start, across calls. */
  final class Reader<V> implements AutoCloseable {
    final KafkaConsumer<String, V> consumer;
    final List<V> seen = new ArrayList<>();

    Reader(Topic<String, V> topic) {
      Properties p = new Properties();
      p.putAll(broker.clientProperties());
      p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic.name() + "-" + System.nanoTime());
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      consumer =
          new KafkaConsumer<>(
              p, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
      consumer.subscribe(List.of(topic.name()));
    }

    /** Everything read so far, once {@code until} holds for it. */
    List<V> await(Predicate<List<V>> until) {
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () -> {
                for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
                  seen.add(r.value());
                }
                return until.test(seen);
              });
      return seen;
    }

    /** Everything read so far once there are {@code count} records, and no more a moment later. */
    List<V> awaitExactly(int count) {
      await(l -> l.size() >= count);
      for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofSeconds(1))) {
        seen.add(r.value());
      }
      assertThat(seen).as("no record beyond the expected %d", count).hasSize(count);
      return seen;
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  static Dispatch find(List<Dispatch> dispatches, String id, int hop) {
    return dispatches.stream()
        .filter(d -> d.id().equals(id) && d.hop() == hop)
        .findFirst()
        .orElse(null);
  }

  static Map<String, Long> byDeployment(List<Dispatch> dispatches) {
    return dispatches.stream()
        .collect(Collectors.groupingBy(Dispatch::deploymentId, Collectors.counting()));
  }

  @Test
  void restartedRouterContinuesRotationAndBudgetsFromTheChangelog() throws Exception {
    SwitchboardConfig config =
        config(
            "restart",
            1,
            """
        model_list:
          - {model_name: even, deployment_id: even-a, weight: 1}
          - {model_name: even, deployment_id: even-b, weight: 1}
          - {model_name: capped, deployment_id: capped-a, weight: 1, rpm: 2}
          - {model_name: capped, deployment_id: capped-b, weight: 1}
        """);
    Topics topics = new Topics(config.topics());
    try (Router first = new Router(config, FIXED);
        Reader<Dispatch> dispatches = new Reader<>(topics.dispatch())) {
      first.start();
      first.awaitRunning(Duration.ofSeconds(120));
      List<ProducerRecord<String, String>> batch = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        batch.add(request(config, null, "a" + i, "even"));
      }
      for (int i = 0; i < 4; i++) {
        batch.add(request(config, null, "c" + i, "capped"));
      }
      sendRequests(config, batch);
      assertThat(byDeployment(dispatches.awaitExactly(9)))
          .containsEntry("even-a", 3L)
          .containsEntry("even-b", 2L)
          .containsEntry("capped-a", 2L)
          .containsEntry("capped-b", 2L);
    }
    try (Router second = new Router(config, FIXED);
        Reader<Dispatch> dispatches = new Reader<>(topics.dispatch())) {
      second.start();
      second.awaitRunning(Duration.ofSeconds(120));
      List<ProducerRecord<String, String>> batch = new ArrayList<>();
      for (int i = 5; i < 10; i++) {
        batch.add(request(config, null, "a" + i, "even"));
      }
      for (int i = 4; i < 6; i++) {
        batch.add(request(config, null, "c" + i, "capped"));
      }
      sendRequests(config, batch);
      List<Dispatch> all = dispatches.awaitExactly(16);
      // A fresh rotation would give 6/4; a fresh budget would give capped-a a third request.
      assertThat(byDeployment(all))
          .containsEntry("even-a", 5L)
          .containsEntry("even-b", 5L)
          .containsEntry("capped-a", 2L)
          .containsEntry("capped-b", 4L);
    }
  }

  @Test
  void cooldownHandoffAndExhaustedChainFlowThroughTheBroker() throws Exception {
    SwitchboardConfig config =
        config(
            "flow",
            2,
            """
        model_list:
          - {model_name: chat, deployment_id: chat-a}
          - {model_name: chat, deployment_id: chat-b}
          - {model_name: backup}
        fallbacks:
          chat: [backup]
        """);
    Topics topics = new Topics(config.topics());
    Clock clock = Clock.systemUTC();
    try (Router router = new Router(config, clock);
        Reader<Dispatch> dispatches = new Reader<>(topics.dispatch());
        Reader<RouteReply> replies = new Reader<>(topics.replies());
        Reader<DeadLetter> letters = new Reader<>(topics.deadLetter())) {
      router.start();
      try (KafkaProducer<String, DeploymentHealth> health =
          producer(topics.health().valueSerde().serializer())) {
        health
            .send(
                new ProducerRecord<>(
                    topics.health().name(),
                    "chat-a",
                    new DeploymentHealth(
                        "chat-a",
                        clock.instant().plus(Duration.ofHours(1)),
                        "test",
                        3,
                        1.0,
                        10,
                        clock.instant())))
            .get();
      }
      router.awaitRunning(Duration.ofSeconds(120));
      // The global store reads the health topic on its own thread; it was written before the
      // start, so the first requests already see chat-a cooling down.
      List<ProducerRecord<String, String>> batch = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        batch.add(request(config, null, "r" + i, "chat"));
      }
      sendRequests(config, batch);
      List<Dispatch> firsts = dispatches.await(l -> l.size() >= 6);
      assertThat(firsts).extracting(Dispatch::deploymentId).containsOnly("chat-b");
      Dispatch d0 = find(firsts, "r0", 0);

      try (KafkaProducer<String, Dispatch> fallbacks =
          producer(topics.fallbacks().valueSerde().serializer())) {
        fallbacks
            .send(new ProducerRecord<>(topics.fallbacks().name(), d0.id(), handBack(d0)))
            .get();
        Dispatch d1 = find(dispatches.await(l -> find(l, "r0", 1) != null), "r0", 1);
        assertThat(d1.deploymentId()).isEqualTo("backup");
        assertThat(d1.receivedAt()).isEqualTo(d0.receivedAt());
        assertThat(d1.attempts()).hasSize(1);
        fallbacks
            .send(new ProducerRecord<>(topics.fallbacks().name(), d1.id(), handBack(d1)))
            .get();
      }
      RouteReply reply = replies.await(l -> !l.isEmpty()).get(0);
      assertThat(reply.id()).isEqualTo("r0");
      assertThat(reply.error().code()).isEqualTo(ErrorCode.FALLBACKS_EXHAUSTED);
      assertThat(reply.attempts())
          .extracting(AttemptEvent::deploymentId)
          .containsExactly("chat-b", "backup");
      DeadLetter letter = letters.await(l -> !l.isEmpty()).get(0);
      assertThat(letter.requestId()).isEqualTo("r0");
      assertThat(letter.attempts()).hasSize(2);
    }
  }

  static Dispatch handBack(Dispatch d) {
    List<AttemptEvent> attempts = new ArrayList<>(d.attempts());
    attempts.add(
        new AttemptEvent(
            null,
            d.id(),
            d.deploymentId(),
            d.modelName(),
            "m",
            "openai_compatible",
            Outcome.FALLBACK,
            503,
            5,
            null,
            null,
            null,
            2,
            "HTTP 503",
            Instant.now()));
    return d.handedOff(attempts, new Handoff(Outcome.FALLBACK, "HTTP 503 after 2 retries"));
  }

  @Test
  void twoInstancesSplitTheTasksRouteEveryRequestOnceAndKeepSplitsAndBudgetsPerTask()
      throws Exception {
    int partitions = 4;
    int perPartition = 20;
    SwitchboardConfig config =
        config(
            "scale",
            partitions,
            """
        model_list:
          - {model_name: chat, deployment_id: chat-a, weight: 3}
          - {model_name: chat, deployment_id: chat-b, weight: 1}
          - {model_name: mix, deployment_id: mix-a, weight: 1, rpm: 8}
          - {model_name: mix, deployment_id: mix-b, weight: 1}
        """);
    Topics topics = new Topics(config.topics());
    try (Router one = new Router(config, FIXED);
        Router two = new Router(config, FIXED);
        Reader<Dispatch> dispatches = new Reader<>(topics.dispatch())) {
      one.start();
      two.start();
      await()
          .atMost(Duration.ofSeconds(150))
          .until(
              () ->
                  one.state().isRunningOrRebalancing()
                      && two.state().isRunningOrRebalancing()
                      && !one.activeTasks().isEmpty()
                      && !two.activeTasks().isEmpty()
                      && one.activeTasks().size() + two.activeTasks().size() == partitions);
      assertThat(one.activeTasks()).doesNotContainAnyElementsOf(two.activeTasks());

      Map<String, Integer> partitionOf = new HashMap<>();
      List<ProducerRecord<String, String>> batch = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        for (int i = 0; i < perPartition; i++) {
          String chat = "chat-" + p + "-" + i;
          String mix = "mix-" + p + "-" + i;
          partitionOf.put(chat, p);
          partitionOf.put(mix, p);
          batch.add(request(config, p, chat, "chat"));
          batch.add(request(config, p, mix, "mix"));
        }
      }
      sendRequests(config, batch);
      List<Dispatch> all = dispatches.awaitExactly(batch.size());
      assertThat(all.stream().map(Dispatch::id).distinct().count())
          .as("each request routed once")
          .isEqualTo(batch.size());

      for (int p = 0; p < partitions; p++) {
        int task = p;
        Map<String, Long> counts =
            byDeployment(all.stream().filter(d -> partitionOf.get(d.id()) == task).toList());
        // 20 chat requests at 3:1 is exactly 15/5 in every task.
        assertThat(counts)
            .as("task 0_%d", p)
            .containsEntry("chat-a", 15L)
            .containsEntry("chat-b", 5L);
        // mix-a's rpm of 8 over 4 tasks: at most 2 per task in this minute; mix-b takes the rest.
        assertThat(counts.get("mix-a")).as("task 0_%d", p).isEqualTo(2L);
        assertThat(counts.get("mix-b")).as("task 0_%d", p).isEqualTo(18L);
      }
      assertThat(byDeployment(all).get("mix-a"))
          .as("mix-a in total never exceeds its rpm")
          .isEqualTo(8L);
      assertThat(one.activeTasks()).isNotEmpty();
      assertThat(two.activeTasks()).isNotEmpty();
    }
  }

  @Test
  void aStoppedInstanceLeavesItsGroupAndTheOtherTakesItsTasksBeforeTheSessionCouldExpire()
      throws Exception {
    int partitions = 4;
    // A session long enough that only leaving the group, not its expiry, can hand the tasks over in
    // time.
    SwitchboardConfig config =
        config(
                "leave",
                partitions,
                """
        model_list:
          - {model_name: chat, deployment_id: chat-a}
        """)
            .withKafka(Map.of("session.timeout.ms", "90000"));
    Topics topics = new Topics(config.topics());
    try (Router stays = new Router(config, FIXED);
        Reader<Dispatch> dispatches = new Reader<>(topics.dispatch())) {
      Router stops = new Router(config, FIXED);
      try {
        stays.start();
        stops.start();
        await()
            .atMost(Duration.ofSeconds(150))
            .until(
                () ->
                    !stays.activeTasks().isEmpty()
                        && !stops.activeTasks().isEmpty()
                        && stays.activeTasks().size() + stops.activeTasks().size() == partitions);
      } finally {
        stops.close();
      }
      long closedAt = System.nanoTime();
      await().atMost(Duration.ofSeconds(45)).until(() -> stays.activeTasks().size() == partitions);
      assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isLessThan(Duration.ofSeconds(45));

      List<ProducerRecord<String, String>> batch = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        batch.add(request(config, p, "after-" + p, "chat"));
      }
      sendRequests(config, batch);
      assertThat(dispatches.awaitExactly(partitions))
          .extracting(Dispatch::id)
          .containsExactlyInAnyOrder("after-0", "after-1", "after-2", "after-3");
    }
  }

  @Test
  void aRouterWhoseTransactionsTheBrokerRefusesStopsAtOnceLeavingNeitherThreadsNorMembers()
      throws Exception {
    // A transaction timeout above the broker's transaction.max.timeout.ms (15 minutes) fails the
    // stream thread's initTransactions: every thread would fail alike, so none is replaced.
    SwitchboardConfig config =
        config("refused", 2, "model_list: [{model_name: chat, deployment_id: chat-a}]\n")
            .withKafka(Map.of("transaction.timeout.ms", "3600000"));
    String applicationId = config.routerSettings().applicationId();
    long started = System.nanoTime();
    try (Router router = new Router(config, FIXED)) {
      router.start();
      assertThatThrownBy(() -> router.awaitRunning(Duration.ofSeconds(60)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("router stopped before it ran (state ")
          .hasMessageContaining("transaction.max.timeout.ms");
    }
    // Well within the 45 s a replaced thread's join waits for the failed one's session to expire.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(40));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.isAlive() && t.getName().contains(applicationId)));
    try (Admin admin = Admin.create(new HashMap<String, Object>(broker.clientProperties()))) {
      assertThat(
              admin
                  .describeConsumerGroups(List.of(applicationId))
                  .all()
                  .get()
                  .get(applicationId)
                  .members())
          .as("the failed start left its consumer group")
          .isEmpty();
    }
  }

  @Test
  void aStaticMemberStaysInItsGroupOnClose() {
    assertThat(
            Router.staticMember(
                config("static", 1, "model_list: [{model_name: chat, deployment_id: chat-a}]\n")))
        .isFalse();
    for (String key :
        List.of(
            "group.instance.id", "main.consumer.group.instance.id", "consumer.group.instance.id")) {
      assertThat(
              Router.staticMember(
                  config("static", 1, "model_list: [{model_name: chat, deployment_id: chat-a}]\n")
                      .withKafka(Map.of(key, "router-1"))))
          .as(key)
          .isTrue();
    }
  }
}
