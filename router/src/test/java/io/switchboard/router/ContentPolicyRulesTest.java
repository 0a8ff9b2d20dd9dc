package io.switchboard.router;

import static io.switchboard.router.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.RouteReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code content_policy_fallbacks}: a content-filter refusal moves to the listed models, past the
 * twins.
 */
class ContentPolicyRulesTest {
  static final String YAML =
      """
      model_list:
        - {model_name: chat, deployment_id: chat-a}
        - {model_name: chat, deployment_id: chat-b}
        - {model_name: safe, deployment_id: safe-a}
        - {model_name: safe, deployment_id: safe-b}
        - {model_name: strict}
        - {model_name: backup}
      load_balance_groups:
        team: [{model: chat}]
      fallbacks:
        chat: [backup]
      content_policy_fallbacks:
        chat: [safe, strict]
        team: [strict]
      topics: {request_partitions: 1}
      """;

  final Harness h = new Harness(YAML);

  @AfterEach
  void close() {
    h.close();
  }

  Dispatch handBack(Dispatch d, Outcome reason) {
    h.handBack(d, reason);
    return h.dispatch.isEmpty() ? null : h.dispatch.readValue();
  }

  @Test
  void theChainIsKeyedByWhatTheRequestNamedAndAnInlineListHasNone() {
    h.send(request("k1", "chat"));
    assertThat(h.dispatch.readValue().contentPolicyFallbacksRemaining())
        .containsExactly("safe", "strict");
    h.send(request("k2", null, "\"load_balance_group\":\"team\""));
    assertThat(h.dispatch.readValue().contentPolicyFallbacksRemaining()).containsExactly("strict");
    h.send(request("k3", null, "\"load_balancer\":[{\"model\":\"chat\"}]"));
    assertThat(h.dispatch.readValue().contentPolicyFallbacksRemaining()).isEmpty();
    h.send(request("k4", "backup"));
    assertThat(h.dispatch.readValue().contentPolicyFallbacksRemaining()).isEmpty();
  }

  @Test
  void aRefusalGoesToTheContentPolicyChainNotToTheTwin() {
    h.send(request("c1", "chat"));
    Dispatch d0 = h.dispatch.readValue();
    Dispatch next = handBack(d0, Outcome.CONTENT_POLICY);
    assertThat(next.modelName()).isEqualTo("safe");
    assertThat(next.hop()).isEqualTo(1);
    assertThat(next.contentPolicyFallbacksRemaining()).containsExactly("strict");
    assertThat(next.fallbacksRemaining())
        .as("the fallback chain is kept for later failures")
        .containsExactly("backup");

    // The content-policy entry fails over within itself, then the fallback chain goes on.
    Dispatch twin = handBack(next, Outcome.FALLBACK);
    assertThat(twin.modelName()).isEqualTo("safe");
    assertThat(twin.deploymentId()).isNotEqualTo(next.deploymentId());
    assertThat(handBack(twin, Outcome.FALLBACK).deploymentId()).isEqualTo("backup");
  }

  @Test
  void aRefusalByEveryEntryOfTheChainEndsTheRequestWithEveryAttempt() {
    h.send(request("c2", "chat"));
    Dispatch safe = handBack(h.dispatch.readValue(), Outcome.CONTENT_POLICY);
    Dispatch strict = handBack(safe, Outcome.CONTENT_POLICY);
    assertThat(strict.deploymentId()).isEqualTo("strict");
    assertThat(strict.hop()).isEqualTo(2);
    assertThat(handBack(strict, Outcome.CONTENT_POLICY)).isNull();
    RouteReply reply = h.replies.readValue();
    assertThat(reply.error().code()).isEqualTo(ErrorCode.FALLBACKS_EXHAUSTED);
    assertThat(reply.error().message()).contains("content filter");
    assertThat(reply.attempts())
        .extracting(AttemptEvent::modelName)
        .containsExactly("chat", "safe", "strict");
  }
}
