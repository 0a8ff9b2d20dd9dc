package io.switchboard.worker.internal;

import static io.switchboard.worker.internal.Fixtures.config;
import static io.switchboard.worker.internal.Fixtures.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.DeploymentHealth;
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
import io.switchboard.worker.provider.TransportFailure;
import io.switchboard.worker.provider.Usage;
import io.switchboard.worker.retry.RetryPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class CallOutcomesTest {
  static final SwitchboardConfig CONFIG =
      config("router_settings: {allowed_fails: 1, cooldown_seconds: 30}\n");
  static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

  final MutableClock clock = new MutableClock(START);
  final HealthTracker health = new HealthTracker(CONFIG.routerSettings(), clock);
  final List<AttemptEvent> attempts = new ArrayList<>();
  final CallOutcomes outcomes =
      new CallOutcomes(
          clock,
          health,
          new RetryPolicy(clock, new SplittableRandom(3)),
          Fixtures.outputs(CONFIG),
          attempts::add);
  final Lane lane = Fixtures.lane(clock);
  final LanePacer.Permit permit = new LanePacer(null, null, clock).tryAcquire(10).orElseThrow();

  static ProviderResponse completion() {
    ObjectNode body =
        (ObjectNode)
            Json.parse(
                """
        {"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},
         "finish_reason":"stop"}]}""");
    return ProviderResponse.http(200, Map.of(), body, new Usage(3, 4), Duration.ofMillis(5));
  }

  static ProviderResponse serverError() {
    return ProviderResponse.http(500, Map.of(), null, null, Duration.ofMillis(5));
  }

  @Test
  void aCompletionIsAnsweredOkWithItsAttemptAndTheTokensItUsed() {
    Job job = Fixtures.job(CONFIG, 0, null);
    CallEvent.Completed completed = outcomes.classify(lane, job, permit, completion(), null);
    assertThat(completed.retries()).isFalse();
    assertThat(completed.tokens()).as("usage, not the estimate").isEqualTo(7);
    assertThat(completed.lane()).isSameAs(lane);
    assertThat(completed.permit()).isSameAs(permit);
    RouteReply ok = reply(completed.result().get(0));
    assertThat(ok.status()).isEqualTo(ReplyStatus.OK);
    assertThat(ok.attempts()).hasSize(1);
    assertThat(attempts)
        .singleElement()
        .satisfies(a -> assertThat(a.outcome()).isEqualTo(Outcome.SUCCESS));
    assertThat(job.attempts()).hasSize(1);
  }

  @Test
  void theAttemptOfTheCallThatAnsweredTravelsInTheReplyNotOnTheMetricsTopic() {
    Job job = Fixtures.job(CONFIG, 0, null);
    CallEvent.Completed completed = outcomes.classify(lane, job, permit, completion(), null);
    assertThat(completed.always()).as("no attempt event of its own").isEmpty();
    ProducerRecord<String, byte[]> record = completed.result().get(0);
    assertThat(record.headers().lastHeader(RouteReply.LAST_ATTEMPT_HEADER))
        .isNotNull()
        .satisfies(
            h ->
                assertThat(new String(h.value(), StandardCharsets.UTF_8))
                    .isEqualTo(RouteReply.ATTEMPT_IN_REPLY));
    assertThat(reply(record).attempts()).containsExactly(attempts.get(0));
    assertThat(completed.attemptInResult())
        .as("published on its own should the reply be dropped")
        .isEqualTo(attempts.get(0));
  }

  @Test
  void aRetryableFailureWithRetriesLeftIsRetriedAfterTheBackoff() {
    SwitchboardConfig lenient = config("router_settings: {allowed_fails: 100}\n");
    CallOutcomes lenientOutcomes =
        new CallOutcomes(
            clock,
            new HealthTracker(lenient.routerSettings(), clock),
            new RetryPolicy(clock, new SplittableRandom(3)),
            Fixtures.outputs(lenient),
            attempts::add);
    Job job = Fixtures.job(lenient, 0, null);
    CallEvent.Completed completed =
        lenientOutcomes.classify(lane, job, permit, serverError(), null);
    assertThat(completed.retries()).isTrue();
    assertThat(completed.result()).isNull();
    assertThat(completed.retryIn()).isBetween(Duration.ZERO, Duration.ofMillis(20));
    assertThat(completed.tokens()).as("no usage: the estimate").isEqualTo(10);
    assertThat(job.retry()).isEqualTo(1);
    assertThat(completed.always())
        .extracting(ProducerRecord::topic)
        .containsExactly("switchboard.metrics");

    CallEvent.Completed again = lenientOutcomes.classify(lane, job, permit, serverError(), null);
    assertThat(again.retries()).as("retries used up").isFalse();
    Dispatch back = Json.read(again.result().get(0).value(), Dispatch.class);
    assertThat(again.result().get(0).topic()).isEqualTo("switchboard.fallbacks");
    assertThat(back.handoff().reason()).isEqualTo(Outcome.FALLBACK);
    assertThat(back.attempts()).hasSize(2);
    assertThat(again.always())
        .as("a call that did not answer publishes its attempt event")
        .extracting(ProducerRecord::topic)
        .containsExactly("switchboard.metrics");
    assertThat(again.attemptInResult()).isNull();
    assertThat(again.result().get(0).headers().lastHeader(RouteReply.LAST_ATTEMPT_HEADER)).isNull();
  }

  @Test
  void aFailureThatStartsACooldownPublishesTheHealthRecord() {
    CallEvent.Completed completed =
        outcomes.classify(lane, Fixtures.job(CONFIG, 0, null), permit, serverError(), null);
    assertThat(completed.always())
        .extracting(ProducerRecord::topic)
        .containsExactly("switchboard.health", "switchboard.metrics");
    DeploymentHealth cooling = Json.read(completed.always().get(0).value(), DeploymentHealth.class);
    assertThat(cooling.cooldownUntil()).isEqualTo(START.plusSeconds(30));
    assertThat(health.cooldownUntil("fast")).contains(START.plusSeconds(30));
  }

  @Test
  void aLearnedLimitBelowTheConfiguredOneIsPublishedAtOnceAndOnlyWhenItDrops() {
    SwitchboardConfig limited =
        new io.switchboard.schemas.config.ConfigLoader(k -> null)
            .parse(
                """
        model_list:
          - {model_name: fast, api_base: "http://localhost:1/v1", rpm: 100, max_retries: 1}
        router_settings: {allowed_fails: 100}
        """,
                "test");
    HealthTracker tracker = new HealthTracker(limited.routerSettings(), clock);
    CallOutcomes learning =
        new CallOutcomes(
            clock,
            tracker,
            new RetryPolicy(clock, new SplittableRandom(3)),
            Fixtures.outputs(limited),
            attempts::add);
    ProviderResponse announced =
        ProviderResponse.http(
            429,
            Map.of("x-ratelimit-limit-requests", "40", "retry-after", "1"),
            null,
            null,
            Duration.ofMillis(5));
    CallEvent.Completed first =
        learning.classify(lane, Fixtures.job(limited, 0, null), permit, announced, null);
    assertThat(first.retries()).as("a 429 is retried as before").isTrue();
    assertThat(first.always())
        .extracting(ProducerRecord::topic)
        .containsExactly("switchboard.health", "switchboard.metrics");
    DeploymentHealth learned = Json.read(first.always().get(0).value(), DeploymentHealth.class);
    assertThat(learned.learnedRpm()).isEqualTo(40);
    assertThat(learned.learnedAt()).isEqualTo(START);
    assertThat(learned.cooldownUntil()).isNull();
    assertThat(tracker.limits().rpm(limited.deployment("fast").orElseThrow())).isEqualTo(40);

    clock.advance(Duration.ofMillis(1));
    CallEvent.Completed second =
        learning.classify(lane, Fixtures.job(limited, 1, null), permit, announced, null);
    assertThat(second.always())
        .as("a 429 of a call sent before the rate was cut is old news")
        .extracting(ProducerRecord::topic)
        .containsExactly("switchboard.metrics");
  }

  @Test
  void aCallCancelledByTheClosingWorkerSaysNothingAboutTheDeployment() {
    ProviderResponse cancelled =
        ProviderResponse.failed(
            new TransportFailure(TransportFailure.Kind.CANCELLED, "closing"), Duration.ofMillis(1));
    CallEvent.Completed completed =
        outcomes.classify(lane, Fixtures.job(CONFIG, 0, null), permit, cancelled, null);
    assertThat(completed.always())
        .extracting(ProducerRecord::topic)
        .containsExactly("switchboard.metrics");
    assertThat(health.cooldownUntil("fast")).isEmpty();
  }

  @Test
  void anUnexpectedFailureIsAnsweredWithAnInternalErrorAndNoAttempt() {
    Job job = Fixtures.job(CONFIG, 0, null);
    CallEvent.Completed completed =
        outcomes.classify(lane, job, permit, null, new IllegalStateException("boom"));
    assertThat(completed.retries()).isFalse();
    assertThat(completed.always()).isEmpty();
    assertThat(attempts).isEmpty();
    RouteReply error = reply(completed.result().get(0));
    assertThat(error.status()).isEqualTo(ReplyStatus.ERROR);
    assertThat(error.error().code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
    assertThat(error.error().message()).endsWith("IllegalStateException").doesNotContain("boom");
  }
}
