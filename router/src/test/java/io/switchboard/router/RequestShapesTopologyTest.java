package io.switchboard.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One request in each other gateway's shape, routed by the router topology. */
class RequestShapesTopologyTest {
  static final String YAML =
      """
      model_list:
        - {model_name: gpt-4o}
        - {model_name: claude}
        - {model_name: backup}
      load_balance_groups:
        team: [{model: claude}]
      topics: {request_partitions: 1}
      """;

  final Harness h = new Harness(YAML);

  @AfterEach
  void close() {
    h.close();
  }

  /** An envelope of {@code fields} (single-quoted JSON members). */
  static String envelope(String id, String fields) {
    return Harness.request(id, null, fields.replace('\'', '"'));
  }

  Dispatch routed(String id, String fields) {
    h.send(envelope(id, fields));
    assertThat(h.replies.isEmpty()).as("no error reply").isTrue();
    return h.dispatch.readValue();
  }

  @Test
  void keywordsAiGroupIdRoutesToTheConfiguredGroupAndFallsBackToItsFallbackModels() {
    Dispatch d =
        routed("kw-1", "'load_balance_group':{'group_id':'team'},'fallback_models':['backup']");
    assertThat(d.deploymentId()).isEqualTo("claude");
    assertThat(d.fallbacksRemaining()).containsExactly("backup");
    h.handBack(d, Outcome.FALLBACK);
    assertThat(h.dispatch.readValue().deploymentId()).isEqualTo("backup");
  }

  @Test
  void keywordsAiListedModelsSplitExactlyByTheirWeights() {
    for (int i = 0; i < 8; i++) {
      h.send(
          envelope(
              "kw-" + i,
              "'load_balance_group':{'group_id':'g','models':[{'model':'gpt-4o','weight':3},"
                  + "{'model':'claude','weight':1}]}"));
    }
    Map<String, Long> split =
        h.dispatch.readValuesToList().stream()
            .collect(Collectors.groupingBy(Dispatch::deploymentId, Collectors.counting()));
    assertThat(split).containsExactlyInAnyOrderEntriesOf(Map.of("gpt-4o", 6L, "claude", 2L));
  }

  @Test
  void orqLoadBalancerRetriesTimeoutAndFallbacksRouteTheRequest() {
    Dispatch d =
        routed(
            "orq-1",
            "'orq':{'load_balancer':{'type':'weight_based','models':[{'model':'gpt-4o',"
                + "'weight':1},{'model':'claude','weight':0}]},'retries':{'count':1},'timeout':{'call_timeout':8000},"
                + "'fallbacks':[{'model':'backup'}]}");
    assertThat(d.deploymentId()).isEqualTo("gpt-4o");
    assertThat(d.request().numRetries()).isEqualTo(1);
    assertThat(d.request().timeoutMs()).isEqualTo(8000L);
    h.handBack(d, Outcome.FALLBACK);
    assertThat(h.dispatch.readValue().deploymentId()).isEqualTo("backup");
  }

  @Test
  void aPortkeyFallbackOverALoadbalanceRoutesTheBalancedModelsThenTheChain() {
    Dispatch d =
        routed(
            "pk-1",
            "'config':{'strategy':{'mode':'fallback'},'retry':{'attempts':2},"
                + "'override_params':{'temperature':0.1},'targets':[{'strategy':{'mode':'loadbalance'},'targets':["
                + "{'override_params':{'model':'gpt-4o'},'weight':1},{'override_params':{'model':'claude'},'weight':0}]},"
                + "{'override_params':{'model':'backup'}}]}");
    assertThat(d.deploymentId()).isEqualTo("gpt-4o");
    assertThat(d.fallbacksRemaining()).containsExactly("backup");
    assertThat(d.request().numRetries()).isEqualTo(2);
    assertThat(d.request().body().get("temperature").asDouble()).isEqualTo(0.1);
    h.handBack(d, Outcome.FALLBACK);
    assertThat(h.dispatch.readValue().deploymentId()).isEqualTo("backup");
  }

  @Test
  void aShapeWithoutAnExactNativeFormIsAnsweredInvalidNamingTheField() {
    h.send(
        envelope(
            "pk-2",
            "'config':{'strategy':{'mode':'fallback'},'targets':[{'override_params':{'model':"
                + "'backup'}},{'strategy':{'mode':'loadbalance'},'targets':[{'override_params':{'model':'gpt-4o'}},"
                + "{'override_params':{'model':'claude'}}]}]}"));
    assertThat(h.dispatch.isEmpty()).as("nothing dispatched").isTrue();
    RouteReply reply = h.replies.readValue();
    assertThat(reply.status()).isEqualTo(ReplyStatus.ERROR);
    assertThat(reply.error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(reply.error().field()).isEqualTo("/config/targets/1");
  }
}
