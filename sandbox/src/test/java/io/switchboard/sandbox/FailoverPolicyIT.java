package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Call;
import io.switchboard.testkit.mock.Fault;
import io.switchboard.testkit.mock.MockProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each retry and fallback policy key end to end (broker, router, worker, mock provider): {@code
 * retry_on_status_codes}, {@code retry_policy}, {@code num_retries}, {@code
 * content_policy_fallbacks} (both refusal shapes), {@code default_fallbacks}, a chain keyed by a
 * group's name, and a request's {@code timeout_ms}.
 */
@Timeout(300)
class FailoverPolicyIT {
  static final String CONFIG =
      """
      model_list:
        - {model_name: codes, api_base: "${MOCK_URL}/d/codes/v1", max_retries: 2, retry_on_status_codes: [429],
           backoff: {initial_ms: 10, max_ms: 50}}
        - {model_name: policy, api_base: "${MOCK_URL}/d/policy/v1", max_retries: 0, retry_policy: {server_error: 2},
           backoff: {initial_ms: 10, max_ms: 50}}
        - {model_name: pair, deployment_id: pair-a, api_base: "${MOCK_URL}/d/pair-a/v1", max_retries: 0}
        - {model_name: pair, deployment_id: pair-b, api_base: "${MOCK_URL}/d/pair-b/v1", max_retries: 0}
        - {model_name: refusing, api_base: "%1$s/refuse/v1"}
        - {model_name: filtering, api_base: "%1$s/filter/v1"}
        - {model_name: lonely, api_base: "${MOCK_URL}/d/lonely/v1", max_retries: 0}
        - {model_name: solo, api_base: "${MOCK_URL}/d/solo/v1", max_retries: 0}
        - {model_name: slow, api_base: "${MOCK_URL}/d/slow/v1", max_retries: 0, timeout_ms: 20000}
        - {model_name: good, api_base: "${MOCK_URL}/d/good/v1"}
        - {model_name: safe, api_base: "${MOCK_URL}/d/safe/v1"}
        - {model_name: spare, api_base: "${MOCK_URL}/d/spare/v1"}
      load_balance_groups:
        team: [{model: solo}]
      fallbacks:
        codes: [good]
        policy: [good]
        pair: [good]
        team: [good]
      content_policy_fallbacks:
        refusing: [safe]
        filtering: [safe]
      default_fallbacks: [spare]
      router_settings: {allowed_fails: 100, cooldown_seconds: 60, timeout_ms: 20000}
      topics: {request_partitions: 2}
      """;

  @TempDir static Path dir;

  static ContentFilterProvider filter;
  static Embedded embedded;
  static MockProvider mock;
  static Topics topics;

  @BeforeAll
  static void start() throws Exception {
    filter = new ContentFilterProvider();
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, CONFIG.formatted(filter.baseUrl()));
    embedded = Embedded.start(KafkaBrokers::start, file, Behavior.ok(), 1, Embedded.DEMO_CONFIG);
    mock = embedded.mock();
    topics = new Topics(embedded.config().topics());
    for (String failing : List.of("codes", "pair-a", "pair-b", "lonely", "solo")) {
      mock.behave(failing, Behavior.ok().withStatus(503));
    }
    mock.behave("policy", Behavior.ok().withStatus(500));
    mock.behave("slow", Behavior.ok().withFault(Fault.HANG));
  }

  @AfterAll
  static void stop() {
    if (embedded != null) {
      embedded.close();
    }
    if (filter != null) {
      filter.close();
    }
  }

  @Test
  void everyPolicyKeyDecidesWhereItsRequestEnds() {
    Map<String, RouteReply> replies =
        roundTrip(
            Map.of(
                "codes-1", request("codes-1", "\"model\":\"codes\""),
                "policy-1", request("policy-1", "\"model\":\"policy\""),
                "pair-1", request("pair-1", "\"model\":\"pair\",\"num_retries\":0"),
                "pair-2", request("pair-2", "\"model\":\"pair\""),
                "refused-1", request("refused-1", "\"model\":\"refusing\""),
                "filtered-1", request("filtered-1", "\"model\":\"filtering\""),
                "lonely-1", request("lonely-1", "\"model\":\"lonely\""),
                "team-1", request("team-1", "\"load_balance_group\":\"team\""),
                "slow-1", request("slow-1", "\"model\":\"slow\",\"timeout_ms\":400")));
    assertThat(replies.values())
        .allSatisfy(r -> assertThat(r.status()).as(r.id()).isEqualTo(ReplyStatus.OK));

    // retry_on_status_codes: [429]: a 503 is not retried, the request moves on at once.
    assertThat(callsOf("codes-1", "codes")).hasSize(1);
    assertThat(replies.get("codes-1").deploymentId()).isEqualTo("good");
    // retry_policy.server_error: 2 in place of max_retries: 0.
    assertThat(callsOf("policy-1", "policy")).hasSize(3);
    assertThat(outcomes(replies.get("policy-1")))
        .containsExactly(Outcome.RETRY, Outcome.RETRY, Outcome.FALLBACK, Outcome.SUCCESS);
    // num_retries: 0 on the request: no re-route to the twin; unset: the twin is tried first.
    assertThat(deployments(replies.get("pair-1"))).hasSize(2).endsWith("good");
    assertThat(deployments(replies.get("pair-2")))
        .hasSize(3)
        .endsWith("good")
        .contains("pair-a", "pair-b");
    // content_policy_fallbacks, for both shapes of refusal.
    for (String id : List.of("refused-1", "filtered-1")) {
      assertThat(replies.get(id).deploymentId()).isEqualTo("safe");
      assertThat(outcomes(replies.get(id)))
          .containsExactly(Outcome.CONTENT_POLICY, Outcome.SUCCESS);
    }
    assertThat(filter.calls()).isEqualTo(2);
    // default_fallbacks for an alias without a chain; a group's own chain keyed by its name.
    assertThat(deployments(replies.get("lonely-1"))).containsExactly("lonely", "spare");
    assertThat(deployments(replies.get("team-1"))).containsExactly("solo", "good");
    // The request's timeout_ms is shorter than the deployment's 20 s: the call gave up after it.
    AttemptEvent timedOut = replies.get("slow-1").attempts().get(0);
    assertThat(timedOut.error()).startsWith("timeout");
    assertThat(timedOut.latencyMs()).isBetween(400L, 5_000L);
    assertThat(replies.get("slow-1").deploymentId()).isEqualTo("spare");
  }

  static List<Outcome> outcomes(RouteReply reply) {
    return reply.attempts().stream().map(AttemptEvent::outcome).toList();
  }

  static List<String> deployments(RouteReply reply) {
    return reply.attempts().stream().map(AttemptEvent::deploymentId).toList();
  }

  static List<Call> callsOf(String requestId, String deployment) {
    return mock.calls(deployment).stream().filter(c -> requestId.equals(c.requestId())).toList();
  }

  static byte[] request(String id, String routing) {
    return ("{\"id\":\""
            + id
            + "\","
            + routing
            + ",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Sends the requests and returns the reply of each: exactly one per id. */
  static Map<String, RouteReply> roundTrip(Map<String, byte[]> requests) {
    Properties props = new Properties();
    props.putAll(embedded.config().kafka());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      requests.forEach(
          (id, value) -> producer.send(new ProducerRecord<>(topics.requests().name(), id, value)));
    }
    return Replies.exactlyOneEach(embedded.config(), requests.keySet());
  }
}
