package io.switchboard.router;

import static io.switchboard.router.Harness.NOW;
import static io.switchboard.router.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Deployments cooling down get no new traffic; with nowhere to go, requests wait, never fail. */
class HealthRulesTest {
  static final String YAML =
      """
      model_list:
        - {model_name: chat, deployment_id: chat-a}
        - {model_name: chat, deployment_id: chat-b}
        - {model_name: backup}
        - {model_name: lonely}
      fallbacks:
        chat: [backup]
      topics: {request_partitions: 1}
      """;

  final Harness h = new Harness(YAML);
  int next;

  @AfterEach
  void close() {
    h.close();
  }

  Map<String, Long> send(int n, String model) {
    for (int i = 0; i < n; i++) {
      h.send(request("r" + next++, model));
    }
    return h.dispatch.readValuesToList().stream()
        .collect(Collectors.groupingBy(Dispatch::deploymentId, Collectors.counting()));
  }

  @Test
  void deploymentInCooldownIsSkippedAndCatchesUpAfterwards() {
    h.cooling("chat-a", NOW.plusSeconds(60));
    assertThat(send(6, "chat")).containsOnlyKeys("chat-b").containsEntry("chat-b", 6L);
    h.advance(Duration.ofSeconds(61));
    // chat-a is 6 behind its share: it gets the next 6, then the split is even again.
    assertThat(send(8, "chat")).containsEntry("chat-a", 7L).containsEntry("chat-b", 1L);
  }

  @Test
  void cooldownThatEndedOrWasClearedDoesNotCount() {
    h.cooling("chat-a", NOW.minusSeconds(1));
    h.cooling("chat-b", NOW.plusSeconds(60));
    h.health.pipeInput("chat-b", null);
    assertThat(send(4, "chat")).containsEntry("chat-a", 2L).containsEntry("chat-b", 2L);
  }

  @Test
  void everyNewHealthRecordCountsFromTheNextRequestOn() {
    h.cooling("chat-a", NOW.plusSeconds(60));
    assertThat(send(2, "chat")).containsOnlyKeys("chat-b");
    h.cooling("chat-a", NOW.minusSeconds(1));
    assertThat(send(4, "chat")).containsKey("chat-a");
    h.cooling("chat-a", NOW.plusSeconds(60));
    assertThat(send(2, "chat")).containsOnlyKeys("chat-b");
    h.health.pipeInput("chat-a", null);
    assertThat(send(4, "chat")).containsKey("chat-a");
  }

  @Test
  void allCandidatesCoolingGoToTheFallbackChain() {
    h.cooling("chat-a", NOW.plusSeconds(60));
    h.cooling("chat-b", NOW.plusSeconds(60));
    h.send(request("c1", "chat"));
    Dispatch d = h.dispatch.readValue();
    assertThat(d.deploymentId()).isEqualTo("backup");
    assertThat(d.modelName()).isEqualTo("backup");
    assertThat(d.hop()).isEqualTo(1);
    assertThat(d.fallbacksRemaining()).isEmpty();
  }

  @Test
  void withNoFallbackTheRequestIsHeldUntilTheEarliestCooldownEnds() {
    h.cooling("lonely", NOW.plusSeconds(90));
    h.send(request("w1", "lonely"));
    assertThat(h.dispatch.isEmpty()).isTrue();
    assertThat(h.replies.isEmpty()).isTrue();
    h.advance(Duration.ofSeconds(60));
    assertThat(h.dispatch.isEmpty()).as("still cooling").isTrue();
    h.advance(Duration.ofSeconds(31));
    Dispatch d = h.dispatch.readValue();
    assertThat(d.id()).isEqualTo("w1");
    assertThat(d.deploymentId()).isEqualTo("lonely");
    assertThat(d.receivedAt()).isEqualTo(NOW);
    assertThat(d.routedAt()).isEqualTo(NOW.plusSeconds(91));
    assertThat(h.replies.isEmpty()).isTrue();
  }

  @Test
  void wholeChainCoolingIsHeldUntilTheFirstOfThemRecovers() {
    h.cooling("chat-a", NOW.plusSeconds(120));
    h.cooling("chat-b", NOW.plusSeconds(120));
    h.cooling("backup", NOW.plusSeconds(30));
    h.send(request("w2", "chat"));
    assertThat(h.dispatch.isEmpty()).isTrue();
    h.advance(Duration.ofSeconds(31));
    assertThat(h.dispatch.readValue().deploymentId()).isEqualTo("backup");
  }

  @Test
  void heldRequestWhoseDeadlinePassesIsAnsweredExpired() {
    h.cooling("lonely", NOW.plusSeconds(300));
    h.send(
        request(
            "w3",
            "lonely",
            "\"deadline\":\"" + NOW.plusSeconds(20) + "\",\"metadata\":{\"k\":\"v\"}"));
    h.advance(Duration.ofSeconds(10));
    assertThat(h.replies.isEmpty()).isTrue();
    h.advance(Duration.ofSeconds(11));
    RouteReply reply = h.replies.readValue();
    assertThat(reply.id()).isEqualTo("w3");
    assertThat(reply.status()).isEqualTo(ReplyStatus.EXPIRED);
    assertThat(reply.error().code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
    assertThat(reply.metadata()).containsEntry("k", "v");
    assertThat(h.dispatch.isEmpty()).isTrue();
    h.advance(Duration.ofSeconds(300));
    assertThat(h.dispatch.isEmpty()).as("answered once, never dispatched later").isTrue();
    assertThat(h.replies.isEmpty()).isTrue();
  }
}
