package io.switchboard.testkit.mock;

import static io.switchboard.testkit.mock.Http.chat;
import static io.switchboard.testkit.mock.Http.messages;
import static io.switchboard.testkit.mock.Http.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class MockProviderBehaviorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private MockProvider mock;

  @BeforeEach
  void start() {
    mock = MockProvider.start(MockProviderOptions.defaults().withClock(clock));
  }

  @AfterEach
  void stop() {
    mock.close();
  }

  private String openAi(String deployment) {
    return mock.baseUrl(deployment) + "/v1/chat/completions";
  }

  @Test
  void fixedAndUniformLatencyDelayTheAnswer() throws Exception {
    mock.behave("slow", Behavior.ok().withLatencyMs(300));
    long t0 = System.nanoTime();
    assertThat(post(openAi("slow"), chat("m", "hi")).statusCode()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(mock.calls("slow"))
        .singleElement()
        .satisfies(c -> assertThat(c.latencyMs()).isGreaterThanOrEqualTo(300));

    mock.behave("slow", Behavior.ok().withLatency(Latency.uniform(150, 250)));
    t0 = System.nanoTime();
    assertThat(post(openAi("slow"), chat("m", "hi")).statusCode()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isGreaterThanOrEqualTo(Duration.ofMillis(150));
  }

  @Test
  void latencyDrawsAreSeededAndFollowTheirDistribution() {
    var random = new java.util.SplittableRandom(7);
    Latency uniform = Latency.uniform(10, 20);
    for (int i = 0; i < 1000; i++) {
      assertThat(uniform.sampleMillis(random)).isBetween(10L, 20L);
    }
    Latency logNormal = Latency.logNormal(100, 1000);
    var r1 = new java.util.SplittableRandom(7);
    var r2 = new java.util.SplittableRandom(7);
    List<Long> a = new ArrayList<>();
    List<Long> b = new ArrayList<>();
    for (int i = 0; i < 2001; i++) {
      a.add(logNormal.sampleMillis(r1));
      b.add(logNormal.sampleMillis(r2));
    }
    assertThat(a).isEqualTo(b);
    List<Long> sorted = a.stream().sorted().toList();
    assertThat(sorted.get(1000)).isBetween(85L, 115L);
    assertThat(sorted.get(1980)).isBetween(700L, 1400L);
  }

  @Test
  void errorRateOneAnswersTheConfiguredStatusWithTheProvidersBody() throws Exception {
    mock.behave("flaky", Behavior.ok().withErrors(1.0, 503));
    HttpResponse<String> r = post(openAi("flaky"), chat("m", "hi"));
    assertThat(r.statusCode()).isEqualTo(503);
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertThat(error.get("type").asText()).isEqualTo("server_error");
    assertThat(error.get("message").asText()).contains("overloaded");

    mock.behave("flaky", Behavior.ok().withErrors(1.0, 529));
    HttpResponse<String> a =
        post(
            mock.baseUrl("flaky") + "/v1/messages",
            messages("c", "hi", 10),
            "anthropic-version",
            "2023-06-01");
    assertThat(a.statusCode()).isEqualTo(529);
    assertThat(a.body())
        .isEqualTo(
            "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
    assertThat(mock.calls("flaky")).extracting(Call::status).containsExactly(503, 529);
  }

  @Test
  void errorRateHalfFailsAboutHalfTheCalls() throws Exception {
    mock.behave("half", Behavior.ok().withErrors(0.5, 500));
    int failures = 0;
    for (int i = 0; i < 200; i++) {
      if (post(openAi("half"), chat("m", "hi")).statusCode() == 500) {
        failures++;
      }
    }
    assertThat(failures).isBetween(60, 140);
  }

  @Test
  void rateLimitEveryAnswers429WithRetryHeaders() throws Exception {
    mock.behave(
        "limited", Behavior.ok().withRateLimitEvery(2).withRetryAfter(Duration.ofMillis(1500)));
    assertThat(post(openAi("limited"), chat("m", "1")).statusCode()).isEqualTo(200);
    HttpResponse<String> r = post(openAi("limited"), chat("m", "2"));
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.headers().firstValue("retry-after")).hasValue("2");
    assertThat(r.headers().firstValue("retry-after-ms")).hasValue("1500");
    assertThat(r.headers().firstValue("x-ratelimit-reset-requests")).hasValue("1.5s");
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(error.get("type").asText()).isEqualTo("requests");
    assertThat(post(openAi("limited"), chat("m", "3")).statusCode()).isEqualTo(200);

    HttpResponse<String> a =
        post(
            mock.baseUrl("limited") + "/v1/messages",
            messages("c", "4", 10),
            "anthropic-version",
            "2023-06-01");
    assertThat(a.statusCode()).isEqualTo(429);
    assertThat(a.headers().firstValue("retry-after")).hasValue("2");
    assertThat(a.headers().firstValue("anthropic-ratelimit-requests-reset"))
        .hasValue(clock.instant().plusMillis(1500).toString());
    assertThat(JSON.readTree(a.body()).get("error").get("type").asText())
        .isEqualTo("rate_limit_error");
  }

  @Test
  void rateLimitProbabilityOneAlwaysAnswers429() throws Exception {
    mock.behave("limited", Behavior.ok().withRateLimitProbability(1.0));
    for (int i = 0; i < 5; i++) {
      assertThat(post(openAi("limited"), chat("m", "x")).statusCode()).isEqualTo(429);
    }
  }

  @Test
  void rpmLimitAnswers429AfterNCallsInTheSlidingWindow() throws Exception {
    mock.behave("rpm3", Behavior.ok().withRpm(3));
    for (int i = 0; i < 3; i++) {
      assertThat(post(openAi("rpm3"), chat("m", "x")).statusCode()).isEqualTo(200);
      clock.advance(Duration.ofSeconds(10));
    }
    // calls at 0 s, 10 s, 20 s; now 30 s: the first frees its slot at 60 s
    HttpResponse<String> limited = post(openAi("rpm3"), chat("m", "x"));
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("retry-after")).hasValue("30");
    assertThat(limited.headers().firstValue("retry-after-ms")).hasValue("30000");
    assertThat(limited.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");

    clock.advance(Duration.ofSeconds(30));
    assertThat(post(openAi("rpm3"), chat("m", "x")).statusCode()).isEqualTo(200);
    assertThat(post(openAi("rpm3"), chat("m", "x")).statusCode()).isEqualTo(429);
    // another deployment has its own window
    assertThat(post(openAi("other"), chat("m", "x")).statusCode()).isEqualTo(200);

    assertThat(mock.calls("rpm3"))
        .extracting(Call::status)
        .containsExactly(200, 200, 200, 429, 200, 429);
    assertThat(mock.maxCallsInAnyWindow("rpm3", Duration.ofMinutes(1), Call::succeeded))
        .isEqualTo(3);
    assertThat(mock.maxCallsInAnyWindow("rpm3", Duration.ofMinutes(1))).isEqualTo(5);
  }

  @Test
  void successesAnnounceTheRpmWindowInEachApisRateLimitHeaders() throws Exception {
    mock.behave("limited", Behavior.ok().withRpm(4));
    HttpResponse<String> first = post(openAi("limited"), chat("m", "x"));
    assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).hasValue("4");
    assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("3");
    assertThat(first.headers().firstValue("x-ratelimit-reset-requests")).hasValue("1m0s");
    clock.advance(Duration.ofSeconds(15));

    HttpResponse<String> anthropic =
        post(
            mock.baseUrl("limited") + "/v1/messages",
            messages("m", "x", 10),
            "anthropic-version",
            "2023-06-01");
    assertThat(anthropic.statusCode()).isEqualTo(200);
    assertThat(anthropic.headers().firstValue("anthropic-ratelimit-requests-limit")).hasValue("4");
    assertThat(anthropic.headers().firstValue("anthropic-ratelimit-requests-remaining"))
        .hasValue("2");
    // the first call leaves the window 60 s after it was admitted: 45 s from now
    assertThat(anthropic.headers().firstValue("anthropic-ratelimit-requests-reset"))
        .hasValue("2026-01-01T00:01:00Z");

    // raised at run time: the calls admitted so far still count
    mock.behave("limited", Behavior.ok().withRpm(8).withRateLimitHeaders(false));
    HttpResponse<String> quiet = post(openAi("limited"), chat("m", "x"));
    assertThat(quiet.statusCode()).isEqualTo(200);
    assertThat(quiet.headers().firstValue("x-ratelimit-limit-requests")).isEmpty();
    for (int i = 0; i < 5; i++) {
      post(openAi("limited"), chat("m", "x"));
    }
    HttpResponse<String> limited = post(openAi("limited"), chat("m", "x"));
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("retry-after")).hasValue("45");
    assertThat(limited.headers().firstValue("x-ratelimit-limit-requests")).isEmpty();
    assertThat(mock.maxCallsInAnyWindow("limited", Duration.ofMinutes(1), Call::succeeded))
        .isEqualTo(8);
  }

  @Test
  void contextWindowErrorsHaveTheProvidersExactShapes() throws Exception {
    mock.behaveAll(Behavior.ok().withContextWindow(100));
    String longText = "x".repeat(400); // + "be brief" = 408 characters = 102 tokens

    HttpResponse<String> openAi = post(openAi("small"), chat("m", longText));
    assertThat(openAi.statusCode()).isEqualTo(400);
    assertThat(openAi.body())
        .isEqualTo(
            "{\"error\":{\"message\":\"This model's maximum context length is 100 tokens."
                + " However, your messages resulted in 102 tokens. Please reduce the length of the messages.\","
                + "\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}");

    HttpResponse<String> azure =
        post(
            mock.baseUrl("small") + "/openai/deployments/d/chat/completions?api-version=v",
            chat("m", longText));
    assertThat(azure.statusCode()).isEqualTo(400);
    assertThat(azure.body()).isEqualTo(openAi.body());

    HttpResponse<String> anthropic =
        post(
            mock.baseUrl("small") + "/v1/messages",
            messages("c", longText, 10),
            "anthropic-version",
            "2023-06-01");
    assertThat(anthropic.statusCode()).isEqualTo(400);
    assertThat(anthropic.body())
        .isEqualTo(
            "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                + "\"message\":\"prompt is too long: 102 tokens > 100 maximum\"}}");

    assertThat(post(openAi("small"), chat("m", "x".repeat(392))).statusCode()).isEqualTo(200);
  }

  @Test
  void hangKeepsTheClientWaitingUntilItTimesOut() {
    mock.behave("stuck", Behavior.ok().withFault(Fault.HANG));
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> post(openAi("stuck"), chat("m", "x"), Duration.ofMillis(500)))
        .isInstanceOf(HttpTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isGreaterThanOrEqualTo(Duration.ofMillis(500));
    assertThat(mock.calls("stuck")).singleElement().satisfies(c -> assertThat(c.status()).isZero());
  }

  @Test
  void resetClosesTheConnectionWithoutAResponse() {
    mock.behave("broken", Behavior.ok().withFault(Fault.RESET));
    assertThatThrownBy(() -> post(openAi("broken"), chat("m", "x")))
        .isInstanceOf(IOException.class);
    assertThat(mock.calls("broken"))
        .singleElement()
        .satisfies(c -> assertThat(c.status()).isZero());
  }

  @Test
  void garbageAnswers200WithABodyThatIsNotJson() throws Exception {
    mock.behave("proxy", Behavior.ok().withFault(Fault.GARBAGE));
    HttpResponse<String> r = post(openAi("proxy"), chat("m", "x"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> JSON.readTree(r.body())).isInstanceOf(IOException.class);
  }

  @Test
  void statusFaultAlwaysAnswersThatStatus() throws Exception {
    mock.behave("revoked", Behavior.ok().withStatus(401));
    HttpResponse<String> r = post(openAi("revoked"), chat("m", "x"));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(r.body()).get("error").get("code").asText())
        .isEqualTo("invalid_api_key");

    mock.behave("revoked", Behavior.ok().withStatus(404));
    HttpResponse<String> missing = post(openAi("revoked"), chat("gpt-x", "x"));
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(missing.body()).get("error").get("code").asText())
        .isEqualTo("model_not_found");
  }

  @Test
  void requiredKeyIsCheckedPerApiAndNeverEchoed() throws Exception {
    String key = "sk-secret-123";
    mock.behaveAll(Behavior.ok().withRequiredKey(key));

    HttpResponse<String> none = post(openAi("k"), chat("m", "x"));
    assertThat(none.statusCode()).isEqualTo(401);
    HttpResponse<String> wrong =
        post(openAi("k"), chat("m", "x"), "Authorization", "Bearer sk-wrong");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(wrong.body()).get("error").get("code").asText())
        .isEqualTo("invalid_api_key");
    assertThat(wrong.body()).doesNotContain("sk-wrong").doesNotContain(key);
    assertThat(post(openAi("k"), chat("m", "x"), "Authorization", "Bearer " + key).statusCode())
        .isEqualTo(200);

    String azure =
        mock.baseUrl("k") + "/openai/deployments/d/chat/completions?api-version=2024-10-21";
    assertThat(post(azure, chat("m", "x")).statusCode()).isEqualTo(401);
    HttpResponse<String> azureWrong = post(azure, chat("m", "x"), "api-key", "nope");
    assertThat(azureWrong.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(azureWrong.body()).get("error").get("code").asText()).isEqualTo("401");
    // Azure's key goes in api-key: a bearer header is not its credential
    assertThat(post(azure, chat("m", "x"), "Authorization", "Bearer " + key).statusCode())
        .isEqualTo(401);
    assertThat(post(azure, chat("m", "x"), "api-key", key).statusCode()).isEqualTo(200);

    String anthropic = mock.baseUrl("k") + "/v1/messages";
    assertThat(
            post(anthropic, messages("c", "x", 5), "anthropic-version", "2023-06-01").statusCode())
        .isEqualTo(401);
    HttpResponse<String> anthropicWrong =
        post(
            anthropic,
            messages("c", "x", 5),
            "anthropic-version",
            "2023-06-01",
            "x-api-key",
            "nope");
    assertThat(anthropicWrong.statusCode()).isEqualTo(401);
    assertThat(anthropicWrong.body())
        .isEqualTo(
            "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}");
    assertThat(
            post(
                    anthropic,
                    messages("c", "x", 5),
                    "anthropic-version",
                    "2023-06-01",
                    "x-api-key",
                    key)
                .statusCode())
        .isEqualTo(200);

    assertThat(mock.calls("k"))
        .extracting(Call::credentialPresent)
        .containsExactly(false, true, true, false, true, false, true, false, true, true);
    assertThat(mock.calls().toString()).doesNotContain(key);
    assertThat(mock.behaviorOf("k").toString()).doesNotContain(key);
  }

  @Test
  void theLogRecordsDeploymentApiModelStatusAndRequestId() throws Exception {
    post(openAi("dep-a"), chat("gpt-4o", "x"), "x-switchboard-request-id", "req-1");
    mock.behave("dep-b", Behavior.ok().withErrors(1.0, 500));
    post(
        mock.baseUrl("dep-b") + "/v1/messages",
        messages("claude", "y", 5),
        "anthropic-version",
        "2023-06-01",
        "x-switchboard-request-id",
        "req-2",
        "x-api-key",
        "k");
    post(openAi("dep-a"), chat("gpt-4o-mini", "z"));

    assertThat(mock.callCount()).isEqualTo(3);
    assertThat(mock.calls())
        .extracting(
            Call::deployment,
            Call::api,
            Call::model,
            Call::status,
            Call::requestId,
            Call::credentialPresent,
            Call::at)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "dep-a", "openai", "gpt-4o", 200, "req-1", false, clock.instant()),
            org.assertj.core.groups.Tuple.tuple(
                "dep-b", "anthropic", "claude", 500, "req-2", true, clock.instant()),
            org.assertj.core.groups.Tuple.tuple(
                "dep-a", "openai", "gpt-4o-mini", 200, null, false, clock.instant()));
    assertThat(mock.calls("dep-a")).hasSize(2);
    assertThat(mock.calls("nobody")).isEmpty();

    mock.clearCalls();
    assertThat(mock.callCount()).isZero();
    assertThat(mock.calls()).isEmpty();
  }

  @Test
  void withoutRequestIdsTheLogStillCountsAndTimesEveryCall() throws Exception {
    mock.keepRequestIds(false);
    post(openAi("dep-a"), chat("gpt-4o", "x"), "x-switchboard-request-id", "req-1");
    post(openAi("dep-a"), chat("gpt-4o", "y"), "x-switchboard-request-id", "req-2");
    assertThat(mock.calls("dep-a"))
        .extracting(Call::status, Call::requestId, Call::at)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(200, null, clock.instant()),
            org.assertj.core.groups.Tuple.tuple(200, null, clock.instant()));
    assertThat(mock.maxCallsInAnyWindow("dep-a", java.time.Duration.ofSeconds(60))).isEqualTo(2);
  }

  @Test
  void maxCallsInAnyWindowSlidesOverCallTimes() throws Exception {
    Instant start = clock.instant();
    for (int second : new int[] {0, 10, 20, 59, 61, 70, 130}) {
      clock.set(start.plusSeconds(second));
      post(openAi("w"), chat("m", "x"));
    }
    // [0, 60) holds 0, 10, 20, 59; [10, 70) holds 10, 20, 59, 61; [20, 80) holds 20, 59, 61, 70
    assertThat(mock.maxCallsInAnyWindow("w", Duration.ofSeconds(60))).isEqualTo(4);
    assertThat(mock.maxCallsInAnyWindow("w", Duration.ofSeconds(2))).isEqualTo(1);
    assertThat(mock.maxCallsInAnyWindow("w", Duration.ofSeconds(3))).isEqualTo(2);
    assertThat(mock.maxCallsInAnyWindow("w", Duration.ofMinutes(10))).isEqualTo(7);
    assertThat(mock.maxCallsInAnyWindow("none", Duration.ofMinutes(1))).isZero();
  }

  @Test
  void eachCallLogsTheUsageItWasAnsweredWithAndTheTokensSlideOverCallTimes() throws Exception {
    Instant start = clock.instant();
    List<Integer> usage = new ArrayList<>();
    for (int second : new int[] {0, 30, 59, 61}) {
      clock.set(start.plusSeconds(second));
      JsonNode reply =
          JSON.readTree(post(openAi("t"), chat("m", "x".repeat(4 * (1 + second)))).body());
      usage.add(reply.path("usage").path("total_tokens").asInt());
    }
    mock.behave("t", Behavior.ok().withStatus(500));
    post(openAi("t"), chat("m", "a failed call reports no usage"));
    assertThat(mock.calls("t"))
        .extracting(Call::tokens)
        .containsExactly(usage.get(0), usage.get(1), usage.get(2), usage.get(3), 0);
    assertThat(usage).allSatisfy(t -> assertThat(t).isPositive());
    // [0, 60) holds the first three; [30, 90) the last three (and the failed call, with 0).
    assertThat(mock.maxTokensInAnyWindow("t", Duration.ofSeconds(60)))
        .isEqualTo(
            (long)
                Math.max(
                    usage.get(0) + usage.get(1) + usage.get(2),
                    usage.get(1) + usage.get(2) + usage.get(3)));
    assertThat(mock.maxTokensInAnyWindow("t", Duration.ofSeconds(1)))
        .isEqualTo((long) usage.stream().max(Integer::compare).get());
    assertThat(mock.maxTokensInAnyWindow("none", Duration.ofMinutes(1))).isZero();
  }

  @Test
  void behaveAllAndResetChangeEveryDeployment() throws Exception {
    mock.behave("a", Behavior.ok().withStatus(500));
    assertThat(post(openAi("a"), chat("m", "x")).statusCode()).isEqualTo(500);
    mock.behaveAll(Behavior.ok().withStatus(503));
    assertThat(post(openAi("a"), chat("m", "x")).statusCode()).isEqualTo(503);
    assertThat(post(openAi("b"), chat("m", "x")).statusCode()).isEqualTo(503);
    mock.reset();
    assertThat(post(openAi("a"), chat("m", "x")).statusCode()).isEqualTo(200);
    assertThat(mock.behaviorOf("b")).isEqualTo(Behavior.ok());
  }
}
