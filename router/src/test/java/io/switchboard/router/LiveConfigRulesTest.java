package io.switchboard.router;

import static io.switchboard.router.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.topics.LanePlan;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** The router moves to a new config version between two records. */
class LiveConfigRulesTest {
  static final String AB =
      """
      model_list:
        - {model_name: chat, deployment_id: a, api_base: "http://a/v1", weight: %s}
        - {model_name: chat, deployment_id: b, api_base: "http://b/v1", weight: %s}
      topics: {request_partitions: 1}
      """;

  @Test
  void requestsAfterANewVersionFollowItsWeightsAndCarryItsNumber() {
    try (Harness h = new Harness(AB.formatted(1, 0))) {
      for (int i = 0; i < 3; i++) {
        h.send(request("before-" + i, "chat"));
      }
      h.live.update(1, Harness.config(AB.formatted(0, 1)));
      for (int i = 0; i < 3; i++) {
        h.send(request("after-" + i, "chat"));
      }
      List<Dispatch> out = h.dispatch.readValuesToList();
      assertThat(out.subList(0, 3))
          .allMatch(d -> d.deploymentId().equals("a") && d.configVersion() == 0);
      assertThat(out.subList(3, 6))
          .allMatch(d -> d.deploymentId().equals("b") && d.configVersion() == 1);
    }
  }

  @Test
  void aRemovedDeploymentGetsNothingAndTheRestGoToTheirNewLanes() {
    String withC =
        """
        model_list:
          - {model_name: chat, deployment_id: a, api_base: "http://a/v1", lanes: 2}
          - {model_name: chat, deployment_id: b, api_base: "http://b/v1"}
        topics: {request_partitions: 1}
        """;
    String withoutA =
        """
        model_list:
          - {model_name: chat, deployment_id: b, api_base: "http://b/v1"}
        topics: {request_partitions: 1}
        """;
    try (Harness h = new Harness(withC)) {
      h.live.update(4, Harness.config(withoutA));
      for (int i = 0; i < 4; i++) {
        h.send(request("r-" + i, "chat"));
      }
      List<TestRecord<String, Dispatch>> out = h.dispatch.readRecordsToList();
      assertThat(out).hasSize(4);
      assertThat(out).allMatch(r -> r.value().deploymentId().equals("b"));
      assertThat(out).as("b's lane of version 4").allMatch(r -> r.value().configVersion() == 4);
      assertThat(LanePlan.of(Harness.config(withoutA)).lanesOf("b").first()).isZero();
    }
  }

  @Test
  void aReplyOfTheRouterCarriesTheVersionInForce() {
    try (Harness h = new Harness(AB.formatted(1, 1))) {
      h.live.update(2, Harness.config(AB.formatted(1, 1)));
      h.send(request("r", "nowhere"));
      RouteReply reply = h.replies.readValue();
      assertThat(reply.error()).isNotNull();
      assertThat(reply.configVersion()).isEqualTo(2);
    }
  }
}
