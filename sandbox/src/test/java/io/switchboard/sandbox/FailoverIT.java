package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Call;
import io.switchboard.testkit.mock.MockProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same-alias failover end to end (broker, router, worker, mock provider): alias {@code chat} with
 * two deployments (3:1) and the fallback alias {@code backup}. While one {@code chat} deployment
 * answers 429s and then 500s, its twin serves every request and {@code backup} gets no call; with
 * both down, {@code backup} serves every request. Every request gets exactly one reply.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverIT {
  static final String CONFIG =
      """
      model_list:
        - {model_name: chat, deployment_id: chat-a, weight: 3, api_base: "${MOCK_URL}/d/chat-a/v1", max_retries: 1,
           backoff: {initial_ms: 20, max_ms: 2000}}
        - {model_name: chat, deployment_id: chat-b, weight: 1, api_base: "${MOCK_URL}/d/chat-b/v1", max_retries: 1,
           backoff: {initial_ms: 20, max_ms: 2000}}
        - {model_name: backup, api_base: "${MOCK_URL}/d/backup/v1"}
      fallbacks:
        chat: [backup]
      router_settings: {allowed_fails: 3, cooldown_seconds: 2}
      topics: {request_partitions: 2}
      observability: {port: -1}
      """;
  static final int N = 40;

  @TempDir static Path dir;

  static Embedded embedded;
  static MockProvider mock;
  static Topics topics;

  @BeforeAll
  static void start() throws Exception {
    Path file = dir.resolve("failover.yaml");
    Files.writeString(file, CONFIG);
    embedded = Embedded.start(KafkaBrokers::start, file, Behavior.ok(), 1, Embedded.DEMO_CONFIG);
    mock = embedded.mock();
    topics = new Topics(embedded.config().topics());
  }

  @AfterAll
  static void stop() {
    if (embedded != null) {
      embedded.close();
    }
  }

  @Test
  @Order(1)
  @Timeout(240)
  void aFailingDeploymentsTwinServesEveryRequestAndTheFallbackGetsNoCall() throws Exception {
    mock.behave(
        "chat-a",
        Behavior.ok().withRateLimitProbability(1.0).withRetryAfter(Duration.ofMillis(50)));
    Map<String, RouteReply> burst = roundTrip("burst-", N);
    // Past chat-a's cooldown, so that the next requests reach it again and meet hard 500s.
    Thread.sleep(2_500);
    mock.behave("chat-a", Behavior.ok().withStatus(500));
    Map<String, RouteReply> hard = roundTrip("hard-", N);

    assertThat(mock.calls("backup"))
        .as("calls to the fallback while the twin is healthy")
        .isEmpty();
    assertThat(mock.calls("chat-a"))
        .extracting(Call::status)
        .contains(429, 500)
        .doesNotContain(200);
    for (Map<String, RouteReply> replies : List.of(burst, hard)) {
      assertThat(replies.values())
          .allSatisfy(
              r -> {
                assertThat(r.status()).isEqualTo(ReplyStatus.OK);
                assertThat(r.deploymentId()).isEqualTo("chat-b");
                assertTriedInOrder(r, List.of("chat-a", "chat-b"));
              });
    }
    long reroutedAfterACall =
        hard.values().stream()
            .filter(r -> r.attempts().stream().anyMatch(a -> a.deploymentId().equals("chat-a")))
            .count();
    assertThat(reroutedAfterACall)
        .as("requests that met a 500 on chat-a and were answered by chat-b")
        .isPositive();
  }

  @Test
  @Order(2)
  @Timeout(240)
  void withBothDeploymentsDownTheFallbackServesEveryRequest() {
    mock.behave("chat-a", Behavior.ok().withStatus(500));
    mock.behave("chat-b", Behavior.ok().withStatus(500));
    Map<String, RouteReply> replies = roundTrip("down-", N);
    assertThat(replies.values())
        .allSatisfy(
            r -> {
              assertThat(r.status()).isEqualTo(ReplyStatus.OK);
              assertThat(r.deploymentId()).isEqualTo("backup");
              assertTriedInOrder(r, List.of("chat-a", "chat-b", "backup"));
              AttemptEvent last = r.attempts().get(r.attempts().size() - 1);
              assertThat(last.deploymentId()).isEqualTo("backup");
              assertThat(last.outcome()).isEqualTo(Outcome.SUCCESS);
            });
    assertThat(mock.calls("backup"))
        .filteredOn(c -> c.requestId() != null && c.requestId().startsWith("down-"))
        .hasSize(N);
  }

  /**
   * The reply's attempts name each deployment tried, in the order tried: those of a deployment
   * together, every earlier one before a later one, the answering deployment last. The order of the
   * twins among themselves is the router's choice.
   */
  static void assertTriedInOrder(RouteReply reply, List<String> allowed) {
    List<String> runs = new ArrayList<>();
    for (AttemptEvent a : reply.attempts()) {
      if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(a.deploymentId())) {
        runs.add(a.deploymentId());
      }
    }
    assertThat(runs)
        .as("deployments tried for %s", reply.id())
        .doesNotHaveDuplicates()
        .isSubsetOf(allowed)
        .endsWith(reply.deploymentId());
    if (runs.contains("backup")) {
      assertThat(runs).endsWith("backup");
    }
  }

  /**
   * Sends {@code n} requests for {@code chat} and returns the reply of each: exactly one per id.
   */
  static Map<String, RouteReply> roundTrip(String prefix, int n) {
    Set<String> ids = new HashSet<>();
    try (KafkaProducer<String, RouteRequest> producer =
        new KafkaProducer<>(
            props(), new StringSerializer(), topics.requests().valueSerde().serializer())) {
      for (int i = 0; i < n; i++) {
        String id = prefix + i;
        ids.add(id);
        producer.send(
            new ProducerRecord<>(
                topics.requests().name(),
                id,
                RouteRequest.of(
                    id,
                    "chat",
                    Json.mapper()
                        .createObjectNode()
                        .set("messages", Json.parse("[{\"role\":\"user\",\"content\":\"hi\"}]")))));
      }
    }
    return Replies.exactlyOneEach(embedded.config(), ids);
  }

  static Properties props() {
    Properties p = new Properties();
    p.putAll(embedded.config().kafka());
    return p;
  }
}
