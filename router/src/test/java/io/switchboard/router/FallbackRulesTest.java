package io.switchboard.router;

import static io.switchboard.router.Harness.NOW;
import static io.switchboard.router.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Hand-offs from workers walk the fallback and context-window chains. */
class FallbackRulesTest {
  static final String YAML =
      """
      model_list:
        - {model_name: chat, deployment_id: chat-a}
        - {model_name: chat, deployment_id: chat-b}
        - {model_name: backup}
        - {model_name: last}
        - {model_name: small, context_window: 50}
        - {model_name: long, context_window: 100000}
      fallbacks:
        chat: [backup, last]
        small: [backup]
      context_window_fallbacks:
        chat: [long]
        small: [long]
      topics: {request_partitions: 1}
      """;

  final Harness h = new Harness(YAML);

  @AfterEach
  void close() {
    h.close();
  }

  Dispatch first(String json) {
    h.send(json);
    return h.dispatch.readValue();
  }

  @Test
  void exhaustedDeploymentFallsBackThroughTheChainKeepingHistory() {
    Dispatch d0 = first(request("f1", "chat", "\"metadata\":{\"batch\":\"b7\"}"));
    assertThat(d0.hop()).isZero();
    assertThat(d0.fallbacksRemaining()).containsExactly("backup", "last");

    h.clock.advance(Duration.ofSeconds(5));
    h.handBack(d0, Outcome.FALLBACK);
    // The other deployment of the alias first, at the same hop and with the chain untouched.
    Dispatch twin = h.dispatch.readValue();
    String twinId = d0.deploymentId().equals("chat-a") ? "chat-b" : "chat-a";
    assertThat(twin.deploymentId()).isEqualTo(twinId);
    assertThat(twin.modelName()).isEqualTo("chat");
    assertThat(twin.hop()).isZero();
    assertThat(twin.fallbacksRemaining()).containsExactly("backup", "last");
    assertThat(twin.attempts()).hasSize(1);
    assertThat(twin.handoff()).isNull();

    h.handBack(twin, Outcome.FALLBACK);
    Dispatch d1 = h.dispatch.readValue();
    assertThat(d1.deploymentId()).isEqualTo("backup");
    assertThat(d1.modelName()).isEqualTo("backup");
    assertThat(d1.hop()).isEqualTo(1);
    assertThat(d1.fallbacksRemaining()).containsExactly("last");
    assertThat(d1.attempts()).hasSize(2);
    assertThat(d1.receivedAt()).isEqualTo(NOW);
    assertThat(d1.routedAt()).isEqualTo(NOW.plusSeconds(5));
    assertThat(d1.handoff()).isNull();
    assertThat(d1.estimatedTokens()).isEqualTo(d0.estimatedTokens());

    h.handBack(d1, Outcome.FALLBACK);
    Dispatch d2 = h.dispatch.readValue();
    assertThat(d2.deploymentId()).isEqualTo("last");
    assertThat(d2.hop()).isEqualTo(2);
    assertThat(d2.attempts())
        .extracting(AttemptEvent::deploymentId)
        .containsExactly(d0.deploymentId(), twinId, "backup");

    h.handBack(d2, Outcome.FALLBACK);
    assertThat(h.dispatch.isEmpty()).isTrue();
    RouteReply reply = h.replies.readValue();
    assertThat(reply.id()).isEqualTo("f1");
    assertThat(reply.status()).isEqualTo(ReplyStatus.ERROR);
    assertThat(reply.error().code()).isEqualTo(ErrorCode.FALLBACKS_EXHAUSTED);
    assertThat(reply.attempts())
        .extracting(AttemptEvent::deploymentId)
        .containsExactly(d0.deploymentId(), twinId, "backup", "last");
    assertThat(reply.deploymentId()).isEqualTo("last");
    assertThat(reply.metadata()).containsEntry("batch", "b7");
    assertThat(reply.latencyMs()).isEqualTo(5000L);
    assertThat(reply.costUsd()).isCloseTo(0.004, org.assertj.core.data.Offset.offset(1e-9));
    DeadLetter letter = h.deadLetter.readValue();
    assertThat(letter.code()).isEqualTo(ErrorCode.FALLBACKS_EXHAUSTED);
    assertThat(letter.requestId()).isEqualTo("f1");
    assertThat(letter.attempts()).hasSize(4);
    assertThat(letter.sourceTopic()).isEqualTo(h.topics.fallbacks().name());
  }

  @Test
  void deploymentsThatAlreadyFailedAreSkipped() {
    // Chain: the alias chat (chat-a failed already, so chat-b), then chat-a again (skipped), then
    // backup.
    Dispatch d0 = first(request("s1", "chat-a", "\"fallbacks\":[\"chat\",\"chat-a\",\"backup\"]"));
    h.handBack(d0, Outcome.FALLBACK);
    Dispatch d1 = h.dispatch.readValue();
    assertThat(d1.deploymentId()).isEqualTo("chat-b");
    h.handBack(d1, Outcome.FALLBACK);
    Dispatch d2 = h.dispatch.readValue();
    assertThat(d2.deploymentId()).isEqualTo("backup");
    assertThat(d2.hop()).isEqualTo(3);
    assertThat(d2.fallbacksRemaining()).isEmpty();
  }

  @Test
  void contextWindowHandoffFollowsTheContextWindowChain() {
    Dispatch d0 = first(request("c1", "chat"));
    assertThat(d0.contextWindowFallbacksRemaining()).containsExactly("long");
    h.handBack(d0, Outcome.CONTEXT_WINDOW);
    Dispatch d1 = h.dispatch.readValue();
    assertThat(d1.deploymentId()).isEqualTo("long");
    assertThat(d1.contextWindowFallbacksRemaining()).isEmpty();
    assertThat(d1.fallbacksRemaining()).containsExactly("backup", "last");
    h.handBack(d1, Outcome.CONTEXT_WINDOW);
    RouteReply reply = h.replies.readValue();
    assertThat(reply.error().code()).isEqualTo(ErrorCode.CONTEXT_WINDOW_EXCEEDED);
    assertThat(reply.attempts()).hasSize(2);
    assertThat(h.deadLetter.readValue().code()).isEqualTo(ErrorCode.CONTEXT_WINDOW_EXCEEDED);
  }

  @Test
  void promptLargerThanTheContextWindowGoesStraightToTheContextWindowChain() {
    Dispatch d = first(request("p1", "small", "\"metadata\":{\"x\":\"y\"}"));
    // "hi" + 256 default output tokens exceed small's window of 50.
    assertThat(d.deploymentId()).isEqualTo("long");
    assertThat(d.hop()).isEqualTo(1);
    assertThat(d.attempts()).isEmpty();
  }

  @Test
  void promptThatFitsNoWindowWithNoChainIsAnsweredContextWindowExceeded() {
    h.send(request("p2", "small", "\"context_window_fallbacks\":[]"));
    assertThat(h.dispatch.isEmpty()).isTrue();
    RouteReply reply = h.replies.readValue();
    assertThat(reply.error().code()).isEqualTo(ErrorCode.CONTEXT_WINDOW_EXCEEDED);
    assertThat(reply.error().message()).contains("small (50)");
    assertThat(h.deadLetter.readValue().requestId()).isEqualTo("p2");
  }

  @Test
  void requestFallbacksOverrideTheConfigChain() {
    Dispatch d0 = first(request("o1", "chat", "\"fallbacks\":[\"last\"]"));
    assertThat(d0.fallbacksRemaining()).containsExactly("last");
  }

  @Test
  void handoffPastItsDeadlineIsAnsweredExpiredWithItsAttempts() {
    Dispatch d0 = first(request("e1", "chat", "\"deadline\":\"" + NOW.plusSeconds(10) + "\""));
    h.clock.advance(Duration.ofSeconds(11));
    h.handBack(d0, Outcome.FALLBACK);
    assertThat(h.dispatch.isEmpty()).isTrue();
    RouteReply reply = h.replies.readValue();
    assertThat(reply.status()).isEqualTo(ReplyStatus.EXPIRED);
    assertThat(reply.error().code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
    assertThat(reply.attempts()).hasSize(1);
    assertThat(h.deadLetter.isEmpty()).isTrue();
  }

  @Test
  void fallbackTargetCoolingIsHeldAndReleased() {
    // One deployment named by its id: no other deployment of its set to go to first.
    Dispatch d0 = first(request("h1", "chat-a", "\"fallbacks\":[\"backup\"]"));
    h.cooling("backup", NOW.plusSeconds(30));
    h.handBack(d0, Outcome.FALLBACK);
    assertThat(h.dispatch.isEmpty()).isTrue();
    assertThat(h.replies.isEmpty()).isTrue();
    h.advance(Duration.ofSeconds(31));
    Dispatch d1 = h.dispatch.readValue();
    assertThat(d1.deploymentId()).isEqualTo("backup");
    assertThat(d1.attempts()).hasSize(1);
    assertThat(d1.hop()).isEqualTo(1);
  }

  @Test
  void unreadableHandoffIsDeadLetteredAndRoutingGoesOn() {
    var raw =
        h.driver.createInputTopic(
            h.topics.fallbacks().name(), new StringSerializer(), new ByteArraySerializer());
    raw.pipeInput("x", "{\"not\":\"a dispatch\"}".getBytes(StandardCharsets.UTF_8));
    DeadLetter letter = h.deadLetter.readValue();
    assertThat(letter.code()).isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThat(letter.sourceTopic()).isEqualTo(h.topics.fallbacks().name());
    assertThat(first(request("after", "chat")).id()).isEqualTo("after");
  }
}
