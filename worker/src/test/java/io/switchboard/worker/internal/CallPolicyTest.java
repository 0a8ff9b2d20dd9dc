package io.switchboard.worker.internal;

import static io.switchboard.worker.internal.Fixtures.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.time.MutableClock;
import io.switchboard.worker.health.HealthTracker;
import io.switchboard.worker.pacing.LanePacer;
import io.switchboard.worker.provider.ProviderResponse;
import io.switchboard.worker.retry.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The engine applies the deployment's retry budget ({@code retry_on_status_codes}, {@code
 * retry_policy}) and hands a content-filter refusal back only while a content-policy chain is left.
 */
class CallPolicyTest {
  static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

  final MutableClock clock = new MutableClock(START);
  final List<AttemptEvent> attempts = new ArrayList<>();
  final Lane lane = Fixtures.lane(clock);
  final LanePacer.Permit permit = new LanePacer(null, null, clock).tryAcquire(10).orElseThrow();

  CallOutcomes outcomes(SwitchboardConfig config) {
    return new CallOutcomes(
        clock,
        new HealthTracker(config.routerSettings(), clock),
        new RetryPolicy(clock, new SplittableRandom(3)),
        Fixtures.outputs(config),
        attempts::add);
  }

  static ProviderResponse status(int status, String code, String message) {
    ObjectNode body =
        (ObjectNode)
            Json.parse(
                "{\"error\":{\"message\":\""
                    + message
                    + "\",\"type\":null,\"code\":"
                    + (code == null ? "null" : "\"" + code + "\"")
                    + "}}");
    return ProviderResponse.http(status, Map.of(), body, null, Duration.ofMillis(5));
  }

  static ProviderResponse filteredCompletion() {
    ObjectNode body =
        (ObjectNode)
            Json.parse(
                """
        {"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":""},
         "finish_reason":"content_filter"}]}""");
    return ProviderResponse.http(200, Map.of(), body, null, Duration.ofMillis(5));
  }

  static Job withContentPolicyChain(SwitchboardConfig config, List<String> chain) {
    Dispatch d = Fixtures.dispatch("r0", null, 10);
    return Fixtures.job(
        config,
        new Dispatch(
            d.request(),
            d.deploymentId(),
            d.modelName(),
            0,
            10,
            List.of(),
            List.of(),
            chain,
            List.of(),
            null,
            d.receivedAt(),
            d.routedAt()),
        0);
  }

  static Dispatch handedBack(CallEvent.Completed completed) {
    assertThat(completed.result().get(0).topic()).isEqualTo("switchboard.fallbacks");
    return Json.read(completed.result().get(0).value(), Dispatch.class);
  }

  @Test
  void aStatusLeftOffRetryOnStatusCodesIsHandedBackAtOnce() {
    SwitchboardConfig config =
        Fixtures.config("router_settings: {allowed_fails: 100, retry_on_status_codes: [429]}\n");
    CallEvent.Completed completed =
        outcomes(config)
            .classify(
                lane, Fixtures.job(config, 0, null), permit, status(503, null, "overloaded"), null);
    assertThat(completed.retries()).isFalse();
    assertThat(handedBack(completed).handoff().reason()).isEqualTo(Outcome.FALLBACK);
    assertThat(
            outcomes(config)
                .classify(
                    lane,
                    Fixtures.job(config, 1, null),
                    permit,
                    status(429, null, "slow down"),
                    null)
                .retries())
        .as("429 is listed")
        .isTrue();
  }

  @Test
  void retryPolicyCountsAreTheDeploymentsRetriesForTheirClass() {
    SwitchboardConfig config =
        Fixtures.config(
            "router_settings: {allowed_fails: 100, retry_policy: {rate_limit: 0, "
                + "bad_request: 1}}\n");
    CallOutcomes outcomes = outcomes(config);
    assertThat(
            outcomes
                .classify(
                    lane, Fixtures.job(config, 0, null), permit, status(429, null, "slow"), null)
                .retries())
        .isFalse();
    Job job = Fixtures.job(config, 1, null);
    assertThat(
            outcomes
                .classify(lane, job, permit, status(400, null, "bad temperature"), null)
                .retries())
        .isTrue();
    CallEvent.Completed second =
        outcomes.classify(lane, job, permit, status(400, null, "bad temperature"), null);
    assertThat(second.retries()).isFalse();
    assertThat(reply(second.result().get(0)).error().code()).isEqualTo(ErrorCode.PROVIDER_ERROR);
  }

  @Test
  void authenticationRetriesAreMadeBeforeTheDeploymentCoolsDown() {
    SwitchboardConfig config =
        Fixtures.config("router_settings: {allowed_fails: 3, retry_policy: {authentication: 1}}\n");
    CallOutcomes outcomes = outcomes(config);
    Job job = Fixtures.job(config, 0, null);
    CallEvent.Completed first =
        outcomes.classify(lane, job, permit, status(401, "invalid_api_key", "no"), null);
    assertThat(first.retries()).isTrue();
    assertThat(first.always())
        .extracting(r -> r.topic())
        .as("no cooldown yet")
        .containsExactly("switchboard.metrics");
    CallEvent.Completed second =
        outcomes.classify(lane, job, permit, status(401, "invalid_api_key", "no"), null);
    assertThat(handedBack(second).handoff().reason()).isEqualTo(Outcome.FALLBACK);
  }

  @Test
  void aContentFilterRefusalWithAChainLeftIsHandedBackForIt() {
    SwitchboardConfig config = Fixtures.config("");
    CallEvent.Completed refused =
        outcomes(config)
            .classify(
                lane,
                withContentPolicyChain(config, List.of("safe")),
                permit,
                status(
                    400,
                    "content_filter",
                    "The response was filtered by the content management policy."),
                null);
    Dispatch back = handedBack(refused);
    assertThat(back.handoff().reason()).isEqualTo(Outcome.CONTENT_POLICY);
    assertThat(back.contentPolicyFallbacksRemaining()).containsExactly("safe");
    assertThat(back.attempts())
        .extracting(AttemptEvent::outcome)
        .containsExactly(Outcome.CONTENT_POLICY);
    CallEvent.Completed filtered =
        outcomes(config)
            .classify(
                lane,
                withContentPolicyChain(config, List.of("safe")),
                permit,
                filteredCompletion(),
                null);
    assertThat(handedBack(filtered).handoff().reason()).isEqualTo(Outcome.CONTENT_POLICY);
  }

  @Test
  void aContentFilterRefusalWithoutAChainIsTheAnswerAsBefore() {
    SwitchboardConfig config = Fixtures.config("");
    RouteReply refused =
        reply(
            outcomes(config)
                .classify(
                    lane,
                    Fixtures.job(config, 0, null),
                    permit,
                    status(400, "content_filter", "filtered"),
                    null)
                .result()
                .get(0));
    assertThat(refused.error().code()).isEqualTo(ErrorCode.PROVIDER_ERROR);
    RouteReply filtered =
        reply(
            outcomes(config)
                .classify(lane, Fixtures.job(config, 1, null), permit, filteredCompletion(), null)
                .result()
                .get(0));
    assertThat(filtered.status()).isEqualTo(ReplyStatus.OK);
    assertThat(filtered.response().path("choices").get(0).path("finish_reason").asText())
        .isEqualTo("content_filter");
  }
}
