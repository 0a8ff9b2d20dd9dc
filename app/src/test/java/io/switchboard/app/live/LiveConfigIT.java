package io.switchboard.app.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.client.ClientOptions;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.router.Router;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.live.ConfigVersions;
import io.switchboard.schemas.config.live.LiveSections;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Live configuration end to end on the in-process broker: two router instances, two workers and the
 * mock provider, with a new version published on the config topic while requests flow.
 */
class LiveConfigIT {
  static KafkaBroker broker;
  static MockProvider mock;

  static final int PARTITIONS = 2;

  @BeforeAll
  static void start() {
    broker = KafkaBrokers.start();
    mock = MockProvider.start();
  }

  @AfterAll
  static void stop() {
    mock.close();
    broker.close();
  }

  @Test
  @Timeout(300)
  void aWeightChangeUnderLoadSplitsTheRequestsRoutedAfterItExactlyWithEveryReplyOnce()
      throws Exception {
    mock.behave("split-a", Behavior.ok());
    mock.behave("split-b", Behavior.ok());
    String yaml =
        """
        model_list:
          - {model_name: chat, deployment_id: split-a, api_base: "%1$s/d/split-a/v1", weight: %2$d}
          - {model_name: chat, deployment_id: split-b, api_base: "%1$s/d/split-b/v1", weight: %3$d}
        topics: {request_partitions: 2}
        """;
    SwitchboardConfig before = config("split", yaml, 3, 1);
    SwitchboardConfig after = config("split", yaml, 1, 3);
    try (Running running = Running.start(before, 2, 2);
        SwitchboardClient client = client(before)) {
      List<CompletableFuture<RouteReply>> futures = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      // Load runs throughout: the version is published once 300 requests were answered by the
      // first one, and 800 more are sent once every router and worker has the new one.
      while (futures.stream().filter(CompletableFuture::isDone).count() < 300) {
        load(client, "s", ids.size(), 20, ids, futures);
      }
      ConfigVersions.publish(
          before.kafka(),
          new Topics(before.topics()).configVersions(),
          "weights 1:3",
          LiveSections.of(after),
          Clock.systemUTC(),
          Duration.ofSeconds(30));
      while (!running.allAt(1)) {
        load(client, "s", ids.size(), 20, ids, futures);
      }
      int firstSurelyAfter = ids.size();
      load(client, "s", ids.size(), 800, ids, futures);

      Map<String, RouteReply> replies = new HashMap<>();
      for (int i = 0; i < ids.size(); i++) {
        replies.put(ids.get(i), futures.get(i).get(150, TimeUnit.SECONDS));
      }
      assertThat(replies.values()).allMatch(r -> r.status() == ReplyStatus.OK);
      assertThat(replyCounts(before, client.replyTopic()))
          .as("one reply per request: none lost, none twice")
          .hasSize(ids.size())
          .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));

      for (int task = 0; task < PARTITIONS; task++) {
        List<RouteReply> ofTask = new ArrayList<>();
        for (String id : ids) {
          if (partitionOf(id) == task) {
            ofTask.add(replies.get(id));
          }
        }
        int switchedAt = firstVersionOne(ofTask);
        assertThat(ofTask.subList(0, switchedAt))
            .as("task %d: version 0 until its switch", task)
            .allMatch(r -> r.configVersion() == 0);
        assertThat(ofTask.subList(switchedAt, ofTask.size()))
            .as("task %d: version 1 from its switch on", task)
            .allMatch(r -> r.configVersion() == 1);
        assertWithinOne(ofTask.subList(0, switchedAt), 0.75, "task " + task + " before");
        assertWithinOne(ofTask.subList(switchedAt, ofTask.size()), 0.25, "task " + task + " after");
      }
      assertThat(ids.subList(firstSurelyAfter, ids.size()))
          .as("requests sent once both routers had version 1")
          .allMatch(id -> replies.get(id).configVersion() == 1);
    }
  }

  @Test
  @Timeout(300)
  void aRemovedDeploymentGetsNoNewTrafficAndItsQueuedDispatchesAreReRouted() throws Exception {
    mock.behave("gone-a", Behavior.ok().withLatencyMs(1500));
    mock.behave("gone-b", Behavior.ok());
    SwitchboardConfig before =
        config(
            "gone",
            """
            model_list:
              - {model_name: chat, deployment_id: gone-a, api_base: "%1$s/d/gone-a/v1"}
              - {model_name: chat, deployment_id: gone-b, api_base: "%1$s/d/gone-b/v1"}
            topics: {request_partitions: 2}
            worker_settings: {max_in_flight_per_lane: 1}
            """);
    SwitchboardConfig after =
        config(
            "gone",
            """
            model_list:
              - {model_name: chat, deployment_id: gone-b, api_base: "%1$s/d/gone-b/v1"}
            topics: {request_partitions: 2}
            worker_settings: {max_in_flight_per_lane: 1}
            """);
    try (Running running = Running.start(before, 1, 2);
        SwitchboardClient client = client(before)) {
      List<CompletableFuture<RouteReply>> futures = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      load(client, "g", 0, 40, ids, futures);
      awaitUntil(() -> mock.calls("gone-a").size() >= 1, "the first call to gone-a");
      ConfigVersions.publish(
          before.kafka(),
          new Topics(before.topics()).configVersions(),
          "without gone-a",
          LiveSections.of(after),
          Clock.systemUTC(),
          Duration.ofSeconds(30));
      awaitUntil(() -> running.allAt(1), "version 1 in force everywhere");
      int callsAtSwitch = mock.calls("gone-a").size();
      load(client, "g", ids.size(), 20, ids, futures);

      List<RouteReply> replies = new ArrayList<>();
      for (CompletableFuture<RouteReply> f : futures) {
        replies.add(f.get(150, TimeUnit.SECONDS));
      }
      assertThat(replies).allMatch(r -> r.status() == ReplyStatus.OK);
      assertThat(replyCounts(before, client.replyTopic()))
          .hasSize(ids.size())
          .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
      Map<String, Long> by =
          replies.stream()
              .collect(Collectors.groupingBy(RouteReply::deploymentId, Collectors.counting()));
      assertThat(mock.calls("gone-a").size())
          .as("gone-a: only the calls in flight at the switch, %s", by)
          .isLessThanOrEqualTo(callsAtSwitch + 2);
      assertThat(by.getOrDefault("gone-a", 0L)).isLessThanOrEqualTo(callsAtSwitch + 2L);
      assertThat(by.get("gone-b")).isGreaterThanOrEqualTo(ids.size() - callsAtSwitch - 2L);
      assertThat(replies.subList(40, replies.size()))
          .as("sent after the switch")
          .allMatch(r -> r.deploymentId().equals("gone-b") && r.configVersion() == 1);
    }
  }

  /** Sends {@code n} requests to "chat" numbered from {@code from}; returns {@code n}. */
  static int load(
      SwitchboardClient client,
      String prefix,
      int from,
      int n,
      List<String> ids,
      List<CompletableFuture<RouteReply>> futures)
      throws InterruptedException {
    ObjectNode body =
        (ObjectNode)
            Json.parse("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":8}");
    for (int i = from; i < from + n; i++) {
      String id = prefix + "-" + i;
      ids.add(id);
      futures.add(client.submit(RouteRequest.of(id, "chat", body)));
      if (i % 20 == 19) {
        Thread.sleep(10);
      }
    }
    return n;
  }

  /** The router task (requests partition) of a request id: the producer's default partitioner. */
  static int partitionOf(String id) {
    return Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
  }

  static int firstVersionOne(List<RouteReply> inOrder) {
    for (int i = 0; i < inOrder.size(); i++) {
      if (inOrder.get(i).configVersion() == 1) {
        return i;
      }
    }
    return inOrder.size();
  }

  /** The share of {@code split-a} among {@code replies} is within one of {@code share}. */
  static void assertWithinOne(List<RouteReply> replies, double share, String what) {
    long a = replies.stream().filter(r -> r.deploymentId().equals("split-a")).count();
    assertThat(replies).as(what).isNotEmpty();
    assertThat(Math.abs(a - share * replies.size()))
        .as("%s: %d of %d to split-a", what, a, replies.size())
        .isLessThanOrEqualTo(1.0);
  }

  /** How many replies each request id has on the reply topic. */
  static Map<String, Integer> replyCounts(SwitchboardConfig config, String topic) {
    Properties p = new Properties();
    p.putAll(config.kafka());
    p.put("isolation.level", "read_committed");
    Map<String, Integer> counts = new HashMap<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
          counts.merge(r.key(), 1, Integer::sum);
        }
      }
    }
    return counts;
  }

  static void awaitUntil(BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(end);
      Thread.sleep(20);
    }
  }

  /** Routers and workers of one test, closed together. */
  record Running(List<Router> routers, List<Worker> workers) implements AutoCloseable {
    static Running start(SwitchboardConfig config, int routerCount, int workerCount)
        throws InterruptedException {
      Running running = new Running(new ArrayList<>(), new ArrayList<>());
      try {
        for (int i = 0; i < routerCount; i++) {
          Router router = new Router(config, Clock.systemUTC());
          running.routers.add(router);
          router.start();
        }
        for (int i = 0; i < workerCount; i++) {
          Worker worker = new Worker(config, Clock.systemUTC(), name -> null);
          running.workers.add(worker);
          worker.start();
        }
        for (Router router : running.routers) {
          router.awaitRunning(Duration.ofSeconds(120));
        }
        return running;
      } catch (RuntimeException | InterruptedException e) {
        running.close();
        throw e;
      }
    }

    /** Whether every router and worker has {@code version} in force. */
    boolean allAt(long version) {
      return routers.stream().allMatch(r -> r.configVersion() == version)
          && workers.stream().allMatch(w -> w.configVersion() == version);
    }

    @Override
    public void close() {
      workers.forEach(Worker::close);
      routers.forEach(Router::close);
    }
  }

  static SwitchboardConfig config(String name, String yaml, Object... args) {
    List<Object> all = new ArrayList<>(List.of(mock.baseUrl()));
    all.addAll(List.of(args));
    return new ConfigLoader(k -> null)
        .parse(yaml.formatted(all.toArray()), name + ".yaml")
        .namespaced("-" + name)
        .withKafka(broker.clientProperties());
  }

  static SwitchboardClient client(SwitchboardConfig config) {
    return SwitchboardClient.create(
        ConnectionSettings.of(config),
        ClientOptions.builder().requestTimeout(Duration.ofSeconds(150)).build());
  }
}
