package io.switchboard.router;

import static io.switchboard.router.Harness.NOW;
import static io.switchboard.router.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.router.metrics.RouterMeter;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Handoff;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.RouteReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Same-set failover: a deployment that hands a request back sends it to the other deployments of
 * the candidate set it was routed from (alias, group, inline list or chain entry) before the chain
 * goes on; {@code num_retries} bounds how many times.
 */
class FailoverRulesTest {
  static final String MODELS =
      """
      model_list:
        - {model_name: chat, deployment_id: chat-a, weight: 3}
        - {model_name: chat, deployment_id: chat-b, weight: 1}
        - {model_name: trio, deployment_id: trio-a, weight: 100}
        - {model_name: trio, deployment_id: trio-b, rpm: 1, weight: 1}
        - {model_name: trio, deployment_id: trio-c, weight: 1}
        - {model_name: backup, deployment_id: backup-a}
        - {model_name: backup, deployment_id: backup-b}
        - {model_name: last}
        - {model_name: quad, deployment_id: quad-a, weight: 1000000}
        - {model_name: quad, deployment_id: quad-b, weight: 3}
        - {model_name: quad, deployment_id: quad-c, weight: 1}
      load_balance_groups:
        team: [{model: chat-a}, {model: last}]
      fallbacks:
        chat: [backup, last]
        trio: [last]
        team: [backup]
      context_window_fallbacks:
        chat: [last]
      topics: {request_partitions: 1}
      """;

  static Harness harness(String extra) {
    return new Harness(MODELS + extra);
  }

  /**
   * Hands {@code d} back and returns what the router did next: a dispatch, or null when it replied.
   */
  static Dispatch handBack(Harness h, Dispatch d, Outcome reason) {
    h.handBack(d, reason);
    return h.dispatch.isEmpty() ? null : h.dispatch.readValue();
  }

  @Test
  void aHandedBackRequestGoesToTheHealthyTwinBeforeTheFallbackChain() {
    try (Harness h = harness("")) {
      h.send(request("t1", "chat"));
      Dispatch d0 = h.dispatch.readValue();
      assertThat(d0.deploymentId()).isEqualTo("chat-a");
      Dispatch twin = handBack(h, d0, Outcome.FALLBACK);
      assertThat(twin.deploymentId()).isEqualTo("chat-b");
      assertThat(twin.hop()).isZero();
      assertThat(twin.modelName()).isEqualTo("chat");
      assertThat(twin.fallbacksRemaining()).containsExactly("backup", "last");
      Dispatch fallback = handBack(h, twin, Outcome.FALLBACK);
      assertThat(fallback.modelName()).isEqualTo("backup");
      assertThat(fallback.hop()).isEqualTo(1);
      assertThat(fallback.attempts())
          .extracting(AttemptEvent::deploymentId)
          .containsExactly("chat-a", "chat-b");
      assertThat(h.replies.isEmpty()).isTrue();
      double reroutes =
          h.meters
              .get(RouterMeter.REROUTES.meterName())
              .tags("deployment", "chat-b")
              .counter()
              .count();
      assertThat(reroutes).isEqualTo(1);
    }
  }

  @Test
  void
      aFallbackAliasWithTwoDeploymentsIsExhaustedBeforeTheNextEntryAndTheReplyListsEveryAttemptInOrder() {
    try (Harness h = harness("")) {
      h.send(request("t2", "chat"));
      List<String> tried = new ArrayList<>();
      Dispatch d = h.dispatch.readValue();
      while (d != null) {
        tried.add(d.deploymentId() + "@" + d.hop());
        d = handBack(h, d, Outcome.FALLBACK);
      }
      assertThat(tried).hasSize(5);
      assertThat(tried.subList(0, 2)).containsExactly("chat-a@0", "chat-b@0");
      assertThat(tried.subList(2, 4)).containsExactlyInAnyOrder("backup-a@1", "backup-b@1");
      assertThat(tried.get(4)).isEqualTo("last@2");
      RouteReply reply = h.replies.readValue();
      assertThat(reply.error().code()).isEqualTo(ErrorCode.FALLBACKS_EXHAUSTED);
      assertThat(reply.attempts())
          .extracting(a -> a.deploymentId() + "@" + a.modelName())
          .containsExactly(
              "chat-a@chat",
              "chat-b@chat",
              tried.get(2).replace("@1", "@backup"),
              tried.get(3).replace("@1", "@backup"),
              "last@last");
    }
  }

  @Test
  void aTwinCoolingDownIsPassedOverForTheFallbackNotWaitedFor() {
    try (Harness h = harness("")) {
      h.send(request("t3", "chat"));
      Dispatch d0 = h.dispatch.readValue();
      h.cooling("chat-b", NOW.plusSeconds(60));
      Dispatch next = handBack(h, d0, Outcome.FALLBACK);
      assertThat(next.modelName()).isEqualTo("backup");
      assertThat(next.hop()).isEqualTo(1);
    }
  }

  @Test
  void aDispatchHandedBackWithoutACallBecauseItsDeploymentCoolsDownGoesToTheTwin() {
    try (Harness h = harness("")) {
      h.send(request("q1", "chat"));
      Dispatch queued = h.dispatch.readValue();
      assertThat(queued.deploymentId()).isEqualTo("chat-a");
      // chat-a entered cooldown while the dispatch waited on its lane: the worker hands it back
      // uncalled.
      h.cooling("chat-a", NOW.plusSeconds(60));
      h.fallbacks.pipeInput(
          queued.id(),
          queued.handedOff(
              List.of(),
              new Handoff(
                  Outcome.FALLBACK,
                  "deployment 'chat-a' is cooling down until " + NOW.plusSeconds(60))));
      Dispatch twin = h.dispatch.readValue();
      assertThat(twin.deploymentId()).isEqualTo("chat-b");
      assertThat(twin.hop()).isZero();
      assertThat(twin.attempts()).isEmpty();
      assertThat(h.replies.isEmpty()).isTrue();
    }
  }

  @Test
  void withNoChainLeftAndTheTwinCoolingTheRequestIsHeldAndThenGoesToTheTwin() {
    try (Harness h = harness("")) {
      h.send(request("t4", "chat", "\"fallbacks\":[]"));
      Dispatch d0 = h.dispatch.readValue();
      h.cooling("chat-b", NOW.plusSeconds(20));
      assertThat(handBack(h, d0, Outcome.FALLBACK)).isNull();
      assertThat(h.replies.isEmpty()).isTrue();
      h.advance(Duration.ofSeconds(21));
      Dispatch released = h.dispatch.readValue();
      assertThat(released.deploymentId()).isEqualTo("chat-b");
      assertThat(released.hop()).isZero();
      assertThat(released.attempts()).hasSize(1);
    }
  }

  @Test
  void aContextWindowHandoffSkipsTheTwinsForTheContextWindowChain() {
    try (Harness h = harness("")) {
      h.send(request("t5", "chat"));
      Dispatch next = handBack(h, h.dispatch.readValue(), Outcome.CONTEXT_WINDOW);
      assertThat(next.deploymentId()).isEqualTo("last");
      assertThat(next.hop()).isEqualTo(1);
    }
  }

  @Test
  void routerNumRetriesBoundsTheReRoutesWithinTheSet() {
    try (Harness h = harness("router_settings: {num_retries: 1}\n")) {
      h.send(request("n1", "trio"));
      Dispatch d0 = h.dispatch.readValue();
      assertThat(d0.deploymentId()).isEqualTo("trio-a");
      Dispatch d1 = handBack(h, d0, Outcome.FALLBACK);
      assertThat(d1.modelName()).isEqualTo("trio");
      assertThat(d1.deploymentId()).isIn("trio-b", "trio-c");
      Dispatch d2 = handBack(h, d1, Outcome.FALLBACK);
      assertThat(d2.deploymentId())
          .as("one re-route spent: the third deployment is not tried")
          .isEqualTo("last");
    }
    try (Harness h = harness("router_settings: {num_retries: 0}\n")) {
      h.send(request("n0", "chat"));
      assertThat(handBack(h, h.dispatch.readValue(), Outcome.FALLBACK).modelName())
          .isEqualTo("backup");
    }
  }

  @Test
  void unsetNumRetriesTriesEveryDeploymentOfTheSetOnceAndTheRequestsOwnWins() {
    try (Harness h = harness("")) {
      h.send(request("u1", "trio"));
      List<String> tried = new ArrayList<>();
      Dispatch d = h.dispatch.readValue();
      while (d != null && d.modelName().equals("trio")) {
        tried.add(d.deploymentId());
        d = handBack(h, d, Outcome.FALLBACK);
      }
      assertThat(tried).containsExactlyInAnyOrder("trio-a", "trio-b", "trio-c");
      assertThat(d.deploymentId()).isEqualTo("last");
    }
    try (Harness h = harness("router_settings: {num_retries: 2}\n")) {
      h.send(request("u2", "trio", "\"num_retries\":0"));
      assertThat(handBack(h, h.dispatch.readValue(), Outcome.FALLBACK).deploymentId())
          .isEqualTo("last");
    }
  }

  @Test
  void reRoutesFollowTheSetsBudgets() {
    try (Harness h = harness("")) {
      // Spend trio-b's one request a minute, then fail trio-a: trio-c has budget, trio-b has none.
      h.send(request("spend", "trio-b"));
      assertThat(h.dispatch.readValue().deploymentId()).isEqualTo("trio-b");
      h.send(request("b1", "trio"));
      assertThat(handBack(h, h.dispatch.readValue(), Outcome.FALLBACK).deploymentId())
          .isEqualTo("trio-c");
    }
    try (Harness h = harness("")) {
      // The same without the spend: the rotation's choice is trio-b, so the budget made the
      // difference.
      h.send(request("b2", "trio"));
      assertThat(handBack(h, h.dispatch.readValue(), Outcome.FALLBACK).deploymentId())
          .isEqualTo("trio-b");
    }
  }

  @Test
  void reRoutesFollowTheSetsWeights() {
    // Every route to quad-a is handed back: the re-routes split 3:1 over quad-b and quad-c, by
    // weight.
    try (Harness h = harness("")) {
      Map<String, Integer> reroutes = new HashMap<>();
      for (int i = 0; i < 200; i++) {
        h.send(request("w" + i, "quad", "\"fallbacks\":[]"));
        Dispatch d0 = h.dispatch.readValue();
        assertThat(d0.deploymentId()).isEqualTo("quad-a");
        reroutes.merge(handBack(h, d0, Outcome.FALLBACK).deploymentId(), 1, Integer::sum);
      }
      assertThat(reroutes.get("quad-b")).isBetween(149, 151);
      assertThat(reroutes.get("quad-c")).isBetween(49, 51);
    }
  }

  @Test
  void aGroupAndAnInlineListFailOverWithinThemselves() {
    try (Harness h = harness("")) {
      h.send(request("g1", null, "\"load_balance_group\":\"team\""));
      Dispatch d0 = h.dispatch.readValue();
      assertThat(d0.modelName()).isEqualTo("team");
      assertThat(d0.fallbacksRemaining())
          .as("the config chain keyed by the group's name")
          .containsExactly("backup");
      Dispatch twin = handBack(h, d0, Outcome.FALLBACK);
      assertThat(twin.modelName()).isEqualTo("team");
      assertThat(twin.deploymentId()).isNotEqualTo(d0.deploymentId()).isIn("chat-a", "last");
      assertThat(handBack(h, twin, Outcome.FALLBACK).modelName()).isEqualTo("backup");
    }
    try (Harness h = harness("")) {
      h.send(
          request("i1", null, "\"load_balancer\":[{\"model\":\"chat-b\"},{\"model\":\"last\"}]"));
      Dispatch d0 = h.dispatch.readValue();
      Dispatch twin = handBack(h, d0, Outcome.FALLBACK);
      assertThat(twin.modelName()).isEqualTo("load_balancer");
      assertThat(twin.deploymentId()).isNotEqualTo(d0.deploymentId()).isIn("chat-b", "last");
      assertThat(handBack(h, twin, Outcome.FALLBACK)).as("no chain: exhausted").isNull();
      assertThat(h.replies.readValue().attempts())
          .extracting(AttemptEvent::deploymentId)
          .containsExactly(d0.deploymentId(), twin.deploymentId());
    }
  }

  @Test
  void defaultFallbacksServeEverySetWithoutItsOwnChainAndTheRequestsOwnStillWins() {
    try (Harness h = harness("default_fallbacks: [last]\n")) {
      h.send(request("d1", "backup"));
      assertThat(h.dispatch.readValue().fallbacksRemaining())
          .as("an alias without a chain")
          .containsExactly("last");
      h.send(request("d2", "chat"));
      assertThat(h.dispatch.readValue().fallbacksRemaining())
          .as("its own chain wins")
          .containsExactly("backup", "last");
      h.send(request("d3", null, "\"load_balancer\":[{\"model\":\"chat\"}]"));
      assertThat(h.dispatch.readValue().fallbacksRemaining())
          .as("an inline list")
          .containsExactly("last");
      h.send(request("d4", "backup", "\"fallbacks\":[\"chat\"]"));
      assertThat(h.dispatch.readValue().fallbacksRemaining())
          .as("the request's own")
          .containsExactly("chat");
      h.send(request("d5", "backup", "\"fallbacks\":[]"));
      assertThat(h.dispatch.readValue().fallbacksRemaining())
          .as("the request's own, even empty")
          .isEmpty();
    }
    try (Harness h =
        new Harness(
            MODELS.replace("team: [backup]", "chat-a: [backup]") + "default_fallbacks: [last]\n")) {
      h.send(request("d6", null, "\"load_balance_group\":\"team\""));
      assertThat(h.dispatch.readValue().fallbacksRemaining())
          .as("a group without a chain")
          .containsExactly("last");
    }
  }
}
