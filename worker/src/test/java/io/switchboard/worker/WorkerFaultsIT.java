package io.switchboard.worker;

import static io.switchboard.worker.WorkerHarness.body;
import static io.switchboard.worker.WorkerHarness.dispatch;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Call;
import io.switchboard.testkit.mock.Fault;
import io.switchboard.testkit.mock.MockProvider;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Each provider fault, through one worker on the real broker against the mock provider, ends in the
 * right outcome on the right topic with the right attempt history.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class WorkerFaultsIT {
  static final String GOOD_KEY = "sk-good-0123456789abcdefXYZ";
  static final String WRONG_KEY = "sk-wrong-0123456789abcdefXYZ";
  static final String RIGHT_KEY = "sk-right-0123456789abcdefXYZ";
  static final Duration WAIT = Duration.ofSeconds(30);

  static KafkaBroker broker;
  static MockProvider mock;
  static WorkerHarness h;
  static TopicTap tap;
  static Worker worker;
  static StringWriter logs = new StringWriter();
  static WriterAppender capture;

  @BeforeAll
  static void start() throws InterruptedException {
    startLogCapture();
    broker = KafkaBrokers.start();
    mock = MockProvider.start();
    mock.behave("ok", Behavior.ok().withRequiredKey(GOOD_KEY));
    mock.behave("rl", Behavior.ok().withRateLimitEvery(2).withRetryAfter(Duration.ofMillis(200)));
    mock.behave("e500", Behavior.ok().withStatus(500));
    mock.behave("e503", Behavior.ok().withStatus(503));
    mock.behave("hang", Behavior.ok().withFault(Fault.HANG));
    mock.behave("reset", Behavior.ok().withFault(Fault.RESET));
    mock.behave("garbage", Behavior.ok().withFault(Fault.GARBAGE));
    mock.behave("ctx", Behavior.ok().withContextWindow(20));
    mock.behave("unauth", Behavior.ok().withRequiredKey(RIGHT_KEY));
    mock.behave("bad", Behavior.ok().withStatus(400));
    String yaml =
        """
        model_list:
          - {model_name: ok, provider: openai, api_base: "%1$s/d/ok/v1", api_key: "${OK_KEY}",
             input_cost_per_million: 1.0, output_cost_per_million: 2.0}
          - {model_name: rl, api_base: "%1$s/d/rl/v1", max_retries: 2, backoff: {initial_ms: 10, max_ms: 2000}}
          - {model_name: e500, api_base: "%1$s/d/e500/v1", max_retries: 2, backoff: {initial_ms: 10, max_ms: 50}}
          - {model_name: e503, api_base: "%1$s/d/e503/v1", max_retries: 1, backoff: {initial_ms: 10, max_ms: 50}}
          - {model_name: hang, api_base: "%1$s/d/hang/v1", max_retries: 0, timeout_ms: 300}
          - {model_name: reset, api_base: "%1$s/d/reset/v1", max_retries: 1, backoff: {initial_ms: 10, max_ms: 50}}
          - {model_name: garbage, api_base: "%1$s/d/garbage/v1", max_retries: 0}
          - {model_name: ctx, api_base: "%1$s/d/ctx/v1"}
          - {model_name: unauth, provider: openai, api_base: "%1$s/d/unauth/v1", api_key: "${UNAUTH_KEY}"}
          - {model_name: bad, api_base: "%1$s/d/bad/v1"}
        router_settings: {allowed_fails: 100, cooldown_seconds: 60}
        """
            .formatted(mock.baseUrl());
    h = new WorkerHarness(broker, "faults", yaml, Map.of());
    tap = new TopicTap(broker.bootstrapServers(), h.outputTopics());
    Map<String, String> env = Map.of("OK_KEY", GOOD_KEY, "UNAUTH_KEY", WRONG_KEY);
    worker = new Worker(h.config, Clock.systemUTC(), env::get);
    worker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (worker != null) {
      worker.close();
    }
    if (tap != null) {
      tap.close();
    }
    if (h != null) {
      h.close();
    }
    if (mock != null) {
      mock.close();
    }
    if (broker != null) {
      broker.close();
    }
    stopLogCapture();
  }

  RouteReply awaitReply(String id) {
    await().atMost(WAIT).until(() -> !tap.records(h.topics.replies().name(), id).isEmpty());
    return tap.values(h.topics.replies().name(), id, RouteReply.class).get(0);
  }

  Dispatch awaitHandoff(String id) {
    await().atMost(WAIT).until(() -> !tap.records(h.topics.fallbacks().name(), id).isEmpty());
    return tap.values(h.topics.fallbacks().name(), id, Dispatch.class).get(0);
  }

  List<Call> callsOf(String id) {
    return mock.calls().stream().filter(c -> id.equals(c.requestId())).toList();
  }

  /** Nothing else for the id: exactly one outcome across replies and fallbacks. */
  void assertOneOutcome(String id) {
    assertThat(
            tap.records(h.topics.replies().name(), id).size()
                + tap.records(h.topics.fallbacks().name(), id).size())
        .as("outcomes of " + id)
        .isEqualTo(1);
  }

  @Test
  @Order(1)
  void successRepliesOkWithUsageCostAndItsAttemptEventInTheReply() {
    h.send(dispatch("ok-1", "ok"));
    RouteReply reply = awaitReply("ok-1");
    assertThat(reply.status()).isEqualTo(ReplyStatus.OK);
    assertThat(reply.deploymentId()).isEqualTo("ok");
    assertThat(reply.provider()).isEqualTo("openai");
    assertThat(reply.response().path("choices").get(0).path("message").path("content").asText())
        .isNotEmpty();
    assertThat(reply.attempts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.outcome()).isEqualTo(Outcome.SUCCESS);
              assertThat(a.httpStatus()).isEqualTo(200);
              assertThat(a.tokensIn()).isPositive();
              assertThat(a.costUsd())
                  .isEqualTo((a.tokensIn() * 1.0 + a.tokensOut() * 2.0) / 1_000_000.0);
            });
    assertThat(reply.costUsd()).isEqualTo(reply.attempts().get(0).costUsd());
    assertThat(reply.providerLatencyMs()).isNotNull();
    assertThat(reply.latencyMs()).isNotNull();
    // The attempt event of the call that answered travels in the reply, marked so, and not on
    // the metrics topic (the same transaction: visible with the reply).
    Header marked =
        tap.records(h.topics.replies().name(), "ok-1")
            .get(0)
            .headers()
            .lastHeader(RouteReply.LAST_ATTEMPT_HEADER);
    assertThat(marked).isNotNull();
    assertThat(new String(marked.value(), UTF_8)).isEqualTo(RouteReply.ATTEMPT_IN_REPLY);
    assertThat(reply.attempts().get(0).requestId()).isEqualTo("ok-1");
    assertThat(reply.attempts().get(0).model()).isEqualTo("ok");
    assertThat(tap.values(h.topics.metrics().name(), "ok", AttemptEvent.class))
        .noneMatch(a -> a.requestId().equals("ok-1"));
    assertThat(callsOf("ok-1"))
        .singleElement()
        .satisfies(c -> assertThat(c.credentialPresent()).isTrue());
    assertOneOutcome("ok-1");
  }

  @Test
  @Order(2)
  void rateLimitWithRetryAfterIsRetriedThenSucceeds() throws Exception {
    // The mock answers 429 to every second call of "rl": take the first call here, so the
    // worker's first call is the one limited.
    HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(mock.baseUrl("rl") + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body("prime").toString()))
                .header("content-type", "application/json")
                .build(),
            HttpResponse.BodyHandlers.discarding());
    h.send(dispatch("rl-1", "rl"));
    RouteReply reply = awaitReply("rl-1");
    assertThat(reply.status()).isEqualTo(ReplyStatus.OK);
    assertThat(reply.attempts())
        .extracting(AttemptEvent::outcome)
        .containsExactly(Outcome.RETRY, Outcome.SUCCESS);
    assertThat(reply.attempts()).extracting(AttemptEvent::httpStatus).containsExactly(429, 200);
    assertThat(reply.attempts()).extracting(AttemptEvent::retry).containsExactly(0, 1);
    List<Call> calls = callsOf("rl-1");
    assertThat(calls).extracting(Call::status).containsExactly(429, 200);
    assertThat(Duration.between(calls.get(0).at(), calls.get(1).at()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(150));
    assertOneOutcome("rl-1");
  }

  @Test
  @Order(3)
  void serverErrorsExhaustRetriesAndHandOffWithEveryAttempt() {
    h.send(dispatch("e500-1", "e500"));
    h.send(dispatch("e503-1", "e503"));
    Dispatch d500 = awaitHandoff("e500-1");
    assertThat(d500.handoff().reason()).isEqualTo(Outcome.FALLBACK);
    assertThat(d500.attempts())
        .extracting(AttemptEvent::outcome)
        .containsExactly(Outcome.RETRY, Outcome.RETRY, Outcome.FALLBACK);
    assertThat(d500.attempts()).extracting(AttemptEvent::httpStatus).containsOnly(500);
    assertThat(d500.handoff().detail()).contains("500").contains("retries used up");
    assertThat(callsOf("e500-1")).hasSize(3);
    Dispatch d503 = awaitHandoff("e503-1");
    assertThat(d503.attempts())
        .extracting(AttemptEvent::outcome)
        .containsExactly(Outcome.RETRY, Outcome.FALLBACK);
    assertThat(d503.attempts()).extracting(AttemptEvent::httpStatus).containsOnly(503);
    assertThat(callsOf("e503-1")).hasSize(2);
    assertOneOutcome("e500-1");
    assertOneOutcome("e503-1");
  }

  @Test
  @Order(3)
  void aRequestsNumRetriesBoundsTheRoutersReRoutesNotTheDeploymentsRetries() {
    // e500 allows 2 retries and e503 1; the requests ask for 0 and 3 re-routes, which the router
    // counts: the worker still makes each deployment's max_retries.
    RouteRequest none =
        new RouteRequest(
            "e500-n0",
            "e500",
            null,
            null,
            null,
            null,
            0,
            null,
            null,
            null,
            null,
            null,
            body("Say hi"));
    RouteRequest three =
        new RouteRequest(
            "e503-n3",
            "e503",
            null,
            null,
            null,
            null,
            3,
            null,
            null,
            null,
            null,
            null,
            body("Say hi"));
    h.send(dispatch("e500-n0", "e500", none));
    h.send(dispatch("e503-n3", "e503", three));
    Dispatch d500 = awaitHandoff("e500-n0");
    assertThat(d500.attempts())
        .extracting(AttemptEvent::outcome)
        .containsExactly(Outcome.RETRY, Outcome.RETRY, Outcome.FALLBACK);
    assertThat(callsOf("e500-n0")).hasSize(3);
    Dispatch d503 = awaitHandoff("e503-n3");
    assertThat(d503.attempts())
        .extracting(AttemptEvent::outcome)
        .containsExactly(Outcome.RETRY, Outcome.FALLBACK);
    assertThat(d503.attempts()).extracting(AttemptEvent::retry).containsExactly(0, 1);
    assertThat(callsOf("e503-n3")).hasSize(2);
    assertOneOutcome("e500-n0");
    assertOneOutcome("e503-n3");
  }

  @Test
  @Order(4)
  void timeoutConnectionResetAndGarbageAreTransientFailures() {
    h.send(dispatch("hang-1", "hang"));
    h.send(dispatch("reset-1", "reset"));
    h.send(dispatch("garbage-1", "garbage"));
    Dispatch hang = awaitHandoff("hang-1");
    assertThat(hang.handoff().reason()).isEqualTo(Outcome.FALLBACK);
    assertThat(hang.attempts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.httpStatus()).isNull();
              assertThat(a.error()).startsWith("timeout");
            });
    Dispatch reset = awaitHandoff("reset-1");
    assertThat(reset.attempts())
        .extracting(AttemptEvent::outcome)
        .containsExactly(Outcome.RETRY, Outcome.FALLBACK);
    assertThat(reset.attempts()).allSatisfy(a -> assertThat(a.httpStatus()).isNull());
    assertThat(callsOf("reset-1")).hasSize(2);
    Dispatch garbage = awaitHandoff("garbage-1");
    assertThat(garbage.attempts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.httpStatus()).isEqualTo(200);
              assertThat(a.error()).contains("not a chat completion");
            });
    assertOneOutcome("hang-1");
    assertOneOutcome("reset-1");
    assertOneOutcome("garbage-1");
  }

  @Test
  @Order(5)
  void contextLengthErrorHandsOffToTheContextWindowChain() {
    h.send(dispatch("ctx-1", "ctx", RouteRequest.of("ctx-1", "ctx", body("word ".repeat(400)))));
    Dispatch d = awaitHandoff("ctx-1");
    assertThat(d.handoff().reason()).isEqualTo(Outcome.CONTEXT_WINDOW);
    assertThat(d.attempts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.outcome()).isEqualTo(Outcome.CONTEXT_WINDOW);
              assertThat(a.httpStatus()).isEqualTo(400);
            });
    assertThat(callsOf("ctx-1")).hasSize(1);
    assertOneOutcome("ctx-1");
  }

  @Test
  @Order(6)
  void unauthorisedHandsOffCoolsDownAndLaterDispatchesAreHandedOffWithoutACall() {
    h.send(dispatch("unauth-1", "unauth"));
    Dispatch d = awaitHandoff("unauth-1");
    assertThat(d.handoff().reason()).isEqualTo(Outcome.FALLBACK);
    assertThat(d.attempts())
        .singleElement()
        .satisfies(a -> assertThat(a.httpStatus()).isEqualTo(401));
    await().atMost(WAIT).until(() -> !tap.records(h.topics.health().name(), "unauth").isEmpty());
    DeploymentHealth health =
        tap.values(h.topics.health().name(), "unauth", DeploymentHealth.class).get(0);
    assertThat(health.cooldownUntil()).isAfter(Instant.now().plusSeconds(30));
    assertThat(health.reason()).contains("401");

    h.send(dispatch("unauth-2", "unauth"));
    Dispatch second = awaitHandoff("unauth-2");
    assertThat(second.handoff().reason()).isEqualTo(Outcome.FALLBACK);
    assertThat(second.handoff().detail()).contains("cooling down");
    assertThat(second.attempts()).isEmpty();
    assertThat(callsOf("unauth-2")).isEmpty();
    assertThat(mock.calls("unauth")).hasSize(1);
    assertOneOutcome("unauth-1");
    assertOneOutcome("unauth-2");
  }

  @Test
  @Order(7)
  void otherClientErrorIsAFinalProviderErrorWithTheAttemptHistory() {
    h.send(dispatch("bad-1", "bad"));
    RouteReply reply = awaitReply("bad-1");
    assertThat(reply.status()).isEqualTo(ReplyStatus.ERROR);
    assertThat(reply.error().code()).isEqualTo(ErrorCode.PROVIDER_ERROR);
    assertThat(reply.error().message()).contains("'bad'").contains("HTTP 400");
    assertThat(reply.attempts())
        .singleElement()
        .satisfies(a -> assertThat(a.outcome()).isEqualTo(Outcome.FAIL));
    assertOneOutcome("bad-1");
  }

  @Test
  @Order(8)
  void deadlinePassedIsAnsweredExpiredWithoutACall() {
    RouteRequest late =
        RouteRequest.of("late-1", "ok", body("too late"))
            .withDeadline(Instant.now().minusSeconds(1));
    h.send(dispatch("late-1", "ok", late));
    RouteReply reply = awaitReply("late-1");
    assertThat(reply.status()).isEqualTo(ReplyStatus.EXPIRED);
    assertThat(reply.error().code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
    assertThat(reply.attempts()).isEmpty();
    assertThat(callsOf("late-1")).isEmpty();
  }

  @Test
  @Order(9)
  void poisonRecordIsDeadLetteredAndTheLaneGoesOn() {
    int partition = h.plan.partitionFor("ok", "poison-1");
    h.sendRaw(partition, "poison-1", "{not a dispatch".getBytes(StandardCharsets.UTF_8));
    h.send(dispatch("after-poison", "ok"));
    await()
        .atMost(WAIT)
        .until(() -> !tap.records(h.topics.deadLetter().name(), "poison-1").isEmpty());
    DeadLetter letter =
        tap.values(h.topics.deadLetter().name(), "poison-1", DeadLetter.class).get(0);
    assertThat(letter.original()).isEqualTo("{not a dispatch");
    assertThat(letter.partition()).isEqualTo(partition);
    assertThat(letter.message()).contains("not a readable dispatch");
    assertThat(awaitReply("after-poison").status()).isEqualTo(ReplyStatus.OK);
  }

  @Test
  @Order(100)
  void providerKeysReachNoTopicAndNoLogLine() {
    await().atMost(WAIT).until(() -> tap.all(h.topics.replies().name()).size() >= 5);
    List<String> everything = tap.allText();
    assertThat(everything).isNotEmpty();
    for (String key : List.of(GOOD_KEY, WRONG_KEY, RIGHT_KEY)) {
      assertThat(everything).noneMatch(text -> text.contains(key));
      assertThat(logs.toString()).doesNotContain(key);
    }
    assertThat(everything).noneMatch(text -> text.contains("sk-wrong-0123"));
  }

  static void startLogCapture() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    Configuration cfg = ctx.getConfiguration();
    capture =
        WriterAppender.newBuilder()
            .setName("key-capture")
            .setTarget(logs)
            .setLayout(PatternLayout.newBuilder().withPattern("%level %c %m %ex%n").build())
            .build();
    capture.start();
    cfg.addAppender(capture);
    cfg.getRootLogger().addAppender(capture, Level.ALL, null);
    ctx.updateLoggers();
  }

  static void stopLogCapture() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    ctx.getConfiguration().getRootLogger().removeAppender("key-capture");
    ctx.updateLoggers();
    capture.stop();
  }
}
