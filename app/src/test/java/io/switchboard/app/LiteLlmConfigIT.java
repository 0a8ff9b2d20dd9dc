package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.router.Router;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Call;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.worker.Worker;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three configs of the LiteLLM corpus, unchanged, routed end to end in one JVM: real broker,
 * router, worker and mock provider. Their {@code os.environ/} references point at the mock; the
 * groups split by their weights (as LiteLLM's simple-shuffle weighs them) and a failing model
 * follows its fallback.
 */
class LiteLlmConfigIT {
  static KafkaBroker broker;
  static MockProvider mock;

  /**
   * The environment of config loading and of the worker (which resolves the api_key references).
   */
  static final Map<String, String> env = new HashMap<>();

  @BeforeAll
  static void start() {
    broker = KafkaBrokers.start();
    mock = MockProvider.start();
    for (String region : List.of("eu", "us", "ca")) {
      String upper = region.toUpperCase();
      env.put("AZURE_" + upper + "_BASE", mock.baseUrl(region));
      env.put("AZURE_" + upper + "_KEY", "key-" + region);
      mock.behave(region, Behavior.ok().withRequiredKey("key-" + region));
    }
    for (String name : List.of("big", "small", "spare", "primary", "backup", "long")) {
      env.put(name.toUpperCase() + "_BASE", mock.baseUrl(name) + "/v1");
    }
    mock.behave("primary", Behavior.ok().withStatus(500));
  }

  @AfterAll
  static void stop() {
    mock.close();
    broker.close();
  }

  @Test
  @Timeout(240)
  void azureGroupSplitsByWeightWithKeysFromTheEnvironment() throws Exception {
    Map<String, Long> split =
        route("02-weighted-azure.yaml", "chat", 400).stream()
            .peek(
                r ->
                    assertThat(r.status())
                        .as("%s: %s", r.id(), r.error())
                        .isEqualTo(ReplyStatus.OK))
            .collect(Collectors.groupingBy(RouteReply::deploymentId, Collectors.counting()));
    int tasks = 6;
    assertThat(split.get("chat-1")).isBetween(300L - tasks, 300L + tasks);
    assertThat(split.get("chat-2")).isBetween(100L - tasks, 100L + tasks);
    assertThat(split).doesNotContainKey("chat-3");
    assertThat(mock.calls("eu"))
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.status()).isEqualTo(200));
    assertThat(mock.calls("ca")).isEmpty();
  }

  @Test
  @Timeout(240)
  void rpmGroupSplitsByRpm() throws Exception {
    Map<String, Long> split =
        route("03-rpm-shuffle.yaml", "gpt-4o-mini", 400).stream()
            .peek(
                r ->
                    assertThat(r.status())
                        .as("%s: %s", r.id(), r.error())
                        .isEqualTo(ReplyStatus.OK))
            .collect(Collectors.groupingBy(RouteReply::deploymentId, Collectors.counting()));
    int tasks = 6;
    assertThat(split.get("gpt-4o-mini-1")).isBetween(300L - tasks, 300L + tasks);
    assertThat(split.get("gpt-4o-mini-2")).isBetween(100L - tasks, 100L + tasks);
    assertThat(split).doesNotContainKey("gpt-4o-mini-3");
    assertThat(mock.calls("spare")).isEmpty();
  }

  @Test
  @Timeout(240)
  void failingModelFollowsItsListShapedFallback() throws Exception {
    List<RouteReply> replies = route("04-fallbacks.yaml", "primary", 60);
    assertThat(replies)
        .allSatisfy(
            r -> {
              assertThat(r.status()).as("%s: %s", r.id(), r.error()).isEqualTo(ReplyStatus.OK);
              assertThat(r.deploymentId()).isEqualTo("backup");
            });
    List<Call> primaryCalls = mock.calls("primary");
    assertThat(primaryCalls).isNotEmpty().allSatisfy(c -> assertThat(c.status()).isEqualTo(500));
    assertThat(replies)
        .filteredOn(r -> r.attempts().stream().anyMatch(a -> "primary".equals(a.deploymentId())))
        .as("replies whose request tried primary first")
        .isNotEmpty();
  }

  /**
   * Loads a corpus config unchanged, routes {@code n} requests for {@code model} and returns their
   * replies.
   */
  private static List<RouteReply> route(String corpusFile, String model, int n) throws Exception {
    SwitchboardConfig config =
        new ConfigLoader(env::get)
            .load(ConfigCommandTest.corpus(corpusFile), null)
            .namespaced("." + corpusFile.substring(0, 2))
            .withKafka(Map.of("bootstrap.servers", broker.bootstrapServers()));
    Topics topics = new Topics(config.topics());
    try (Router router = new Router(config, Clock.systemUTC());
        Worker worker = new Worker(config, Clock.systemUTC(), env::get)) {
      router.start();
      worker.start();
      router.awaitRunning(Duration.ofSeconds(60));
      Properties props = new Properties();
      props.putAll(config.kafka());
      try (KafkaProducer<String, RouteRequest> producer =
          new KafkaProducer<>(
              props, new StringSerializer(), topics.requests().valueSerde().serializer())) {
        for (int i = 0; i < n; i++) {
          String id = corpusFile + "-" + i;
          ObjectNode body =
              (ObjectNode)
                  Json.parse("{\"messages\":[{\"role\":\"user\",\"content\":\"hi " + i + "\"}]}");
          producer.send(
              new ProducerRecord<>(topics.requests().name(), id, RouteRequest.of(id, model, body)));
        }
      }
      return replies(props, topics, n);
    }
  }

  private static List<RouteReply> replies(Properties props, Topics topics, int expected) {
    Properties p = new Properties();
    p.putAll(props);
    p.put("group.id", "litellm-it-" + System.nanoTime());
    p.put("auto.offset.reset", "earliest");
    p.put("isolation.level", "read_committed");
    Map<String, RouteReply> byId = new HashMap<>();
    try (KafkaConsumer<String, RouteReply> consumer =
        new KafkaConsumer<>(
            p, new StringDeserializer(), topics.replies().valueSerde().deserializer())) {
      consumer.subscribe(List.of(topics.replies().name()));
      long end = System.nanoTime() + Duration.ofSeconds(150).toNanos();
      while (System.nanoTime() < end && byId.size() < expected) {
        for (ConsumerRecord<String, RouteReply> r : consumer.poll(Duration.ofMillis(200))) {
          assertThat(byId.put(r.key(), r.value())).as("one reply for %s", r.key()).isNull();
        }
      }
    }
    assertThat(byId).hasSize(expected);
    return List.copyOf(byId.values());
  }
}
