package io.switchboard.router;

import static io.switchboard.router.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.RouteReply;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which deployments a request may go to, and with what weights. */
class CandidateRulesTest {
  static final String YAML =
      """
      model_list:
        - {model_name: chat, deployment_id: chat-a, weight: 70}
        - {model_name: chat, deployment_id: chat-b, weight: 30}
        - {model_name: solo}
        - {model_name: paced, deployment_id: paced-a, rpm: 30}
        - {model_name: paced, deployment_id: paced-b, rpm: 10}
        - {model_name: paced, deployment_id: paced-c}
        - {model_name: idle, deployment_id: idle-a, weight: 0}
        - {model_name: idle, deployment_id: idle-b, weight: 2}
      load_balance_groups:
        mixed: [{model: chat, weight: 6}, {model: solo, weight: 4}]
        plain: [{model: chat}, {model: solo}]
      router_settings: {max_request_bytes: 4096}
      topics: {request_partitions: 1}
      """;

  final Harness h = new Harness(YAML);

  @AfterEach
  void close() {
    h.close();
  }

  Map<String, Long> split(int n, String modelField, String extra) {
    for (int i = 0; i < n; i++) {
      h.send(request("r" + i, modelField, extra));
    }
    return h.dispatch.readValuesToList().stream()
        .collect(Collectors.groupingBy(Dispatch::deploymentId, Collectors.counting()));
  }

  RouteReply rejected(String json) {
    h.send(json);
    assertThat(h.dispatch.isEmpty()).as("nothing dispatched").isTrue();
    return h.replies.readValue();
  }

  @Test
  void inlineLoadBalancerOverridesModelAndGroup() {
    Map<String, Long> counts =
        split(
            10,
            "chat",
            "\"load_balance_group\":\"plain\",\"load_balancer\":[{\"model\":\"solo\",\"weight\":1}]");
    assertThat(counts).containsOnlyKeys("solo");
  }

  @Test
  void modelOverridesGroup() {
    assertThat(split(10, "solo", "\"load_balance_group\":\"mixed\"")).containsOnlyKeys("solo");
  }

  @Test
  void groupIsUsedWithoutModelAndBodyModelLast() {
    assertThat(split(10, null, "\"load_balance_group\":\"mixed\"")).containsKeys("chat-a", "solo");
    h.send(
        "{\"id\":\"b1\",\"body\":{\"model\":\"solo\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}");
    Dispatch d = h.dispatch.readValue();
    assertThat(d.deploymentId()).isEqualTo("solo");
    assertThat(d.modelName()).isEqualTo("solo");
  }

  @Test
  void aliasMemberWeightIsSplitOverItsDeploymentsByTheirOwnWeights() {
    // chat weight 6 over chat-a:chat-b = 70:30 gives 4.2 and 1.8; solo 4. Over 100 picks: 42/18/40.
    Map<String, Long> counts = split(100, null, "\"load_balance_group\":\"mixed\"");
    assertThat(counts)
        .containsExactlyInAnyOrderEntriesOf(Map.of("chat-a", 42L, "chat-b", 18L, "solo", 40L));
  }

  @Test
  void aliasMemberWithoutWeightKeepsItsDeploymentsOwnWeights() {
    // chat-a 70, chat-b 30, solo 1 (no weight, no rpm): 101 picks give 70/30/1.
    assertThat(split(101, null, "\"load_balance_group\":\"plain\""))
        .containsExactlyInAnyOrderEntriesOf(Map.of("chat-a", 70L, "chat-b", 30L, "solo", 1L));
  }

  @Test
  void weightsAreRelativeAndNormalized() {
    Map<String, Long> counts =
        split(
            30,
            null,
            "\"load_balancer\":[{\"model\":\"solo\",\"weight\":0.4},{\"model\":\"chat-b\",\"weight\":0.8}]");
    assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("solo", 10L, "chat-b", 20L));
  }

  @Test
  void deploymentWithoutWeightUsesItsRpmElseOne() {
    // paced-a rpm 30, paced-b rpm 10, paced-c neither: 30:10:1 over 41 picks (all within budget).
    assertThat(split(41, "paced", null))
        .containsExactlyInAnyOrderEntriesOf(Map.of("paced-a", 30L, "paced-b", 10L, "paced-c", 1L));
  }

  @Test
  void weightZeroTakesNoNewTraffic() {
    assertThat(split(20, "idle", null)).containsOnlyKeys("idle-b");
    assertThat(
            split(
                20,
                null,
                "\"load_balancer\":[{\"model\":\"solo\",\"weight\":0},{\"model\":\"chat-a\"}]"))
        .containsOnlyKeys("chat-a");
  }

  @Test
  void duplicateMembersAddUp() {
    // chat-a named by id (weight 1) and through chat (weight 1, 0.7 of it to chat-a): 1.7 : 0.3.
    assertThat(
            split(
                20,
                null,
                "\"load_balancer\":[{\"model\":\"chat-a\",\"weight\":1},{\"model\":\"chat\",\"weight\":1}]"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("chat-a", 17L, "chat-b", 3L));
  }

  @Test
  void unknownInlineModelNamesItsIndex() {
    RouteReply reply =
        rejected(
            request(
                "u1",
                null,
                "\"load_balancer\":[{\"model\":\"solo\"},{\"model\":\"gpt-9\",\"weight\":1}]"));
    assertThat(reply.error().code()).isEqualTo(ErrorCode.UNKNOWN_MODEL);
    assertThat(reply.error().field()).isEqualTo("/load_balancer/1/model");
    assertThat(reply.error().message()).contains("gpt-9");
  }

  @Test
  void unknownGroupIsNamed() {
    RouteReply reply = rejected(request("g1", null, "\"load_balance_group\":\"nope\""));
    assertThat(reply.error().code()).isEqualTo(ErrorCode.UNKNOWN_MODEL);
    assertThat(reply.error().field()).isEqualTo("/load_balance_group");
    assertThat(reply.error().message()).contains("nope").contains("mixed");
  }

  @Test
  void allZeroWeightsAreRefusedNamingTheList() {
    RouteReply reply =
        rejected(request("z1", null, "\"load_balancer\":[{\"model\":\"solo\",\"weight\":0}]"));
    assertThat(reply.error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(reply.error().field()).isEqualTo("/load_balancer");
  }

  @Test
  void unknownFallbackIsNamed() {
    RouteReply reply = rejected(request("f1", "chat", "\"fallbacks\":[\"solo\",\"gpt-9\"]"));
    assertThat(reply.error().code()).isEqualTo(ErrorCode.UNKNOWN_MODEL);
    assertThat(reply.error().field()).isEqualTo("/fallbacks/1");
  }

  @Test
  void negativeAndNonNumericWeightsNameTheWeight() {
    RouteReply negative =
        rejected(
            request(
                "w1",
                null,
                "\"load_balancer\":[{\"model\":\"solo\"},{\"model\":\"chat\",\"weight\":-1}]"));
    assertThat(negative.error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(negative.error().field()).isEqualTo("/load_balancer/1/weight");
    RouteReply text =
        rejected(
            request("w2", null, "\"load_balancer\":[{\"model\":\"solo\",\"weight\":\"heavy\"}]"));
    assertThat(text.error().field()).isEqualTo("/load_balancer/0/weight");
  }
}
