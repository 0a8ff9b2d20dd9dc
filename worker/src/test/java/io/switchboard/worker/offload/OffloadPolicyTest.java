package io.switchboard.worker.offload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class OffloadPolicyTest {
  static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

  static DeploymentConfig deployment(String batchApi) {
    String yaml =
        "model_list:\n  - {model_name: m, api_base: 'http://x/v1'"
            + (batchApi == null ? "" : ", batch_api: " + batchApi)
            + ", batch_max_wait_seconds: 60}\n";
    return new ConfigLoader(k -> null).parse(yaml, "t").modelList().get(0);
  }

  static Dispatch dispatch(String priority, Instant deadline, List<AttemptEvent> attempts) {
    ObjectNode envelope = Json.mapper().createObjectNode();
    envelope.put("id", "r1");
    envelope.put("model", "m");
    if (priority != null) {
      envelope.put("priority", priority);
    }
    if (deadline != null) {
      envelope.put("deadline", deadline.toString());
    }
    envelope.set("body", Json.parse("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    RouteRequest request = Json.convert(envelope, RouteRequest.class);
    return new Dispatch(
        request, "m", "m", 0, 1, List.of(), List.of(), List.of(), attempts, null, NOW, NOW);
  }

  @Test
  void onlyBatchClassRequestsToADeploymentWithABatchApiAreOffloaded() {
    assertThat(
            OffloadPolicy.offloads(deployment("openai"), dispatch("batch", null, List.of()), NOW))
        .isTrue();
    assertThat(OffloadPolicy.offloads(deployment("openai"), dispatch(null, null, List.of()), NOW))
        .isFalse();
    assertThat(
            OffloadPolicy.offloads(
                deployment("openai"), dispatch("interactive", null, List.of()), NOW))
        .isFalse();
    assertThat(OffloadPolicy.offloads(deployment(null), dispatch("batch", null, List.of()), NOW))
        .isFalse();
  }

  @Test
  void aDeadlineSoonerThanTheWaitPlusTheCompletionWindowIsServedInRealTime() {
    DeploymentConfig d = deployment("anthropic");
    Instant enough = NOW.plus(OffloadPolicy.COMPLETION_WINDOW).plusSeconds(60);
    assertThat(OffloadPolicy.offloads(d, dispatch("batch", enough, List.of()), NOW)).isTrue();
    assertThat(
            OffloadPolicy.offloads(
                d, dispatch("batch", enough.minus(Duration.ofSeconds(1)), List.of()), NOW))
        .isFalse();
  }

  @Test
  void aRequestAlreadyTriedOnTheDeploymentIsNeverOffloadedAgain() {
    AttemptEvent batchLine =
        new AttemptEvent(
            null,
            "r1",
            "m",
            "m",
            "m",
            "openai",
            Outcome.RETRY,
            500,
            10,
            null,
            null,
            null,
            0,
            "HTTP 500",
            NOW);
    AttemptEvent elsewhere =
        new AttemptEvent(
            null,
            "r1",
            "other",
            "m",
            "m",
            "openai",
            Outcome.FALLBACK,
            500,
            10,
            null,
            null,
            null,
            0,
            "HTTP 500",
            NOW);
    DeploymentConfig d = deployment("openai");
    assertThat(OffloadPolicy.offloads(d, dispatch("batch", null, List.of(batchLine)), NOW))
        .isFalse();
    assertThat(OffloadPolicy.offloads(d, dispatch("batch", null, List.of(elsewhere)), NOW))
        .isTrue();
  }

  @Test
  void customIdsLeadBackToTheirDispatchOffset() {
    assertThat(OffloadPolicy.customId(1234)).isEqualTo("d1234").matches("^[a-zA-Z0-9_-]{1,64}$");
    assertThat(OffloadPolicy.offsetOf("d1234")).isEqualTo(1234);
    assertThat(OffloadPolicy.offsetOf("line-1")).isEqualTo(-1);
    assertThat(OffloadPolicy.offsetOf("dx")).isEqualTo(-1);
  }
}
