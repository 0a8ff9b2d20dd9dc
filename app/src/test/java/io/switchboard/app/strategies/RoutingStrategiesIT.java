package io.switchboard.app.strategies;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.client.ClientOptions;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.router.Router;
import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.Topic;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.worker.Worker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Routing strategies end to end: router, workers and the mock provider on the in-process broker.
 * Each test routes one alias by a strategy and a twin alias, set up the same way, by weight, so the
 * difference is the strategy's.
 */
class RoutingStrategiesIT {
  static KafkaBroker broker;
  static MockProvider mock;

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
  @Timeout(240)
  void aSlowDeploymentLosesTrafficUnderLatencyBased() throws Exception {
    for (String alias : List.of("chat", "plain")) {
      mock.behave(alias + "-fast", Behavior.ok().withLatencyMs(20));
      // far apart, so that a loaded machine's own delays cannot close the gap between the two
      mock.behave(alias + "-slow", Behavior.ok().withLatencyMs(1500));
    }
    SwitchboardConfig config =
        config(
            "latency",
            """
        model_list:
          - {model_name: chat, deployment_id: chat-fast, api_base: "%1$s/d/chat-fast/v1", lanes: 2}
          - {model_name: chat, deployment_id: chat-slow, api_base: "%1$s/d/chat-slow/v1", lanes: 2}
          - {model_name: plain, deployment_id: plain-fast, api_base: "%1$s/d/plain-fast/v1", lanes: 2}
          - {model_name: plain, deployment_id: plain-slow, api_base: "%1$s/d/plain-slow/v1", lanes: 2}
        routing_strategies: {chat: latency-based-routing}
        topics: {request_partitions: 2}
        worker_settings: {health_publish_interval_ms: 500}
        """);
    try (Running running = Running.start(config, 2);
        SwitchboardClient client = client(config)) {
      // Traffic naming each deployment directly measures both, past the first calls' connection
      // set-up.
      List<CompletableFuture<RouteReply>> warm =
          new ArrayList<>(send(client, "warm-fast", "chat-fast", 30));
      warm.addAll(send(client, "warm-slow", "chat-slow", 30));
      assertThat(replies(warm)).allMatch(r -> r.status() == ReplyStatus.OK);
      awaitReports(
          config,
          h ->
              h.deploymentId().equals("chat-fast")
                  && h.recentCalls() >= 10
                  && h.latencyEwmaMs() < 750);
      awaitReports(
          config,
          h ->
              h.deploymentId().equals("chat-slow")
                  && h.recentCalls() >= 10
                  && h.latencyEwmaMs() >= 1200);

      List<CompletableFuture<RouteReply>> chat = send(client, "c", "chat", 40);
      List<CompletableFuture<RouteReply>> plain = send(client, "p", "plain", 40);
      Map<String, Long> byStrategy = split(replies(chat));
      Map<String, Long> byWeight = split(replies(plain));
      // Each of the two router tasks splits exactly, within one.
      assertThat(byWeight.get("plain-slow"))
          .as("weighted: slow or not, %s", byWeight)
          .isBetween(18L, 22L);
      assertThat(byStrategy.getOrDefault("chat-slow", 0L))
          .as("latency-based: %s", byStrategy)
          .isZero();
      assertThat(byStrategy.get("chat-fast")).isEqualTo(40L);
    }
  }

  @Test
  @Timeout(240)
  void aBusyDeploymentLosesTrafficUnderLeastBusy() throws Exception {
    // Every deployment equally slow: what differs is how many calls each has in flight.
    for (String id : List.of("busy-a", "busy-b", "even-a", "even-b")) {
      mock.behave(id, Behavior.ok().withLatencyMs(5000));
    }
    SwitchboardConfig config =
        config(
            "busy",
            """
        model_list:
          - {model_name: busy, deployment_id: busy-a, api_base: "%1$s/d/busy-a/v1"}
          - {model_name: busy, deployment_id: busy-b, api_base: "%1$s/d/busy-b/v1"}
          - {model_name: even, deployment_id: even-a, api_base: "%1$s/d/even-a/v1"}
          - {model_name: even, deployment_id: even-b, api_base: "%1$s/d/even-b/v1"}
        routing_strategies: {busy: least-busy}
        topics: {request_partitions: 2}
        worker_settings: {health_publish_interval_ms: 200}
        """);
    try (Running running = Running.start(config, 1);
        SwitchboardClient client = client(config)) {
      // Other traffic names busy-a and even-a directly and keeps 30 calls in flight on each.
      List<CompletableFuture<RouteReply>> hog =
          new ArrayList<>(send(client, "hog-busy", "busy-a", 30));
      hog.addAll(send(client, "hog-even", "even-a", 30));
      awaitReports(
          config,
          h -> h.deploymentId().equals("busy-a") && h.inFlight() != null && h.inFlight() >= 30);

      List<CompletableFuture<RouteReply>> busy = send(client, "b", "busy", 20);
      List<CompletableFuture<RouteReply>> even = send(client, "e", "even", 20);
      Map<String, Long> byStrategy = split(replies(busy));
      Map<String, Long> byWeight = split(replies(even));
      assertThat(replies(hog)).allMatch(r -> r.status() == ReplyStatus.OK);
      assertThat(byWeight.get("even-a"))
          .as("weighted: busy or not, %s", byWeight)
          .isBetween(8L, 12L);
      assertThat(byStrategy.getOrDefault("busy-a", 0L)).as("least-busy: %s", byStrategy).isZero();
      assertThat(byStrategy.get("busy-b")).isEqualTo(20L);
    }
  }

  /** Router and workers of one test, closed together. */
  record Running(Router router, List<Worker> workers) implements AutoCloseable {
    static Running start(SwitchboardConfig config, int workerCount) throws InterruptedException {
      Router router = new Router(config, Clock.systemUTC());
      List<Worker> workers = new ArrayList<>();
      Running running = new Running(router, workers);
      try {
        router.start();
        for (int i = 0; i < workerCount; i++) {
          Worker worker = new Worker(config, Clock.systemUTC(), name -> null);
          workers.add(worker);
          worker.start();
        }
        router.awaitRunning(Duration.ofSeconds(120));
        return running;
      } catch (RuntimeException | InterruptedException e) {
        running.close();
        throw e;
      }
    }

    @Override
    public void close() {
      workers.forEach(Worker::close);
      router.close();
    }
  }

  static SwitchboardConfig config(String name, String yaml) {
    return new ConfigLoader(k -> null)
        .parse(yaml.formatted(mock.baseUrl()), name + ".yaml")
        .namespaced("-" + name)
        .withKafka(broker.clientProperties());
  }

  static SwitchboardClient client(SwitchboardConfig config) {
    return SwitchboardClient.create(
        ConnectionSettings.of(config),
        ClientOptions.builder().requestTimeout(Duration.ofSeconds(120)).build());
  }

  static List<CompletableFuture<RouteReply>> send(
      SwitchboardClient client, String prefix, String model, int n) {
    ObjectNode body =
        (ObjectNode)
            Json.parse("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":8}");
    List<CompletableFuture<RouteReply>> replies = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      replies.add(client.submit(RouteRequest.of(prefix + "-" + i, model, body)));
    }
    return replies;
  }

  static List<RouteReply> replies(List<CompletableFuture<RouteReply>> futures) throws Exception {
    List<RouteReply> out = new ArrayList<>();
    for (CompletableFuture<RouteReply> f : futures) {
      out.add(f.get(150, TimeUnit.SECONDS));
    }
    return out;
  }

  static Map<String, Long> split(List<RouteReply> replies) {
    assertThat(replies)
        .allSatisfy(r -> assertThat(r.status()).as("%s", r).isEqualTo(ReplyStatus.OK));
    return replies.stream()
        .collect(Collectors.groupingBy(RouteReply::deploymentId, Collectors.counting()));
  }

  /**
   * Waits until a worker has published a report that {@code which} accepts, and then a little
   * longer, for the router's copy of the health topic to hold it too.
   */
  static void awaitReports(SwitchboardConfig config, Predicate<DeploymentHealth> which)
      throws InterruptedException {
    Topic<String, DeploymentHealth> health = new Topics(config.topics()).health();
    Properties p = new Properties();
    p.putAll(config.kafka());
    p.put("isolation.level", "read_committed");
    try (KafkaConsumer<String, DeploymentHealth> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), health.valueSerde().deserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(health.name()).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      boolean seen = false;
      while (!seen && System.nanoTime() < end) {
        for (ConsumerRecord<String, DeploymentHealth> r : consumer.poll(Duration.ofMillis(100))) {
          seen |= r.value() != null && which.test(r.value());
        }
      }
      assertThat(seen).as("a health report as expected on %s", health.name()).isTrue();
    }
    Thread.sleep(500);
  }
}
