package io.switchboard.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.Provider;
import io.switchboard.schemas.config.WorkerSettings;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Call;
import io.switchboard.testkit.mock.Fault;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.worker.retry.OutcomeClassifier;
import io.switchboard.worker.retry.ServerDelay;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What every provider adapter must do, checked against the mock provider speaking that provider's
 * API. Each adapter has a subclass saying which provider it is and where the mock serves it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class ProviderClientCompatibilityKit {
  static final String KEY_ENV = "SB_TEST_PROVIDER_KEY";
  static final String KEY = "sk-test-0123456789abcdefSECRET";

  private static final AtomicInteger IDS = new AtomicInteger();

  MockProvider mock;
  ProviderClients clients;

  /** The provider under test. */
  abstract Provider provider();

  /**
   * The {@code api_base} that makes this provider's adapter reach {@code deployment} on the mock.
   */
  abstract String apiBase(MockProvider mock, String deployment);

  @BeforeAll
  void start() {
    mock = MockProvider.start();
    clients =
        ProviderClients.start(WorkerSettings.DEFAULT, Map.of(KEY_ENV, KEY)::get, Clock.systemUTC());
  }

  @AfterAll
  void stop() {
    if (clients != null) {
      clients.close();
    }
    if (mock != null) {
      mock.close();
    }
  }

  String newDeployment() {
    return provider().wire() + "-" + IDS.incrementAndGet();
  }

  DeploymentConfig deployment(String id) {
    return Deployments.of(provider(), id, "model-" + id, apiBase(mock, id), KEY_ENV);
  }

  ProviderResponse call(
      DeploymentConfig deployment, ObjectNode body, Duration timeout, String requestId) {
    ProviderResponse response =
        clients.call(new ProviderCall(deployment, body, requestId, timeout)).join();
    assertNoKey(response);
    return response;
  }

  ProviderResponse call(DeploymentConfig deployment, ObjectNode body) {
    return call(deployment, body, Duration.ofSeconds(30), "req-" + IDS.incrementAndGet());
  }

  static void assertNoKey(ProviderResponse response) {
    String everything =
        response
            + " "
            + response.describe()
            + " "
            + (response.body() == null ? "" : Json.toString(response.body()));
    assertThat(everything).doesNotContain(KEY).doesNotContain("0123456789abcdef");
  }

  @Test
  void theClientReportsOnceThatTheRequestLeftBeforeTheAnswerComes() {
    String id = newDeployment();
    mock.behave(id, Behavior.ok().withRequiredKey(KEY));
    java.util.concurrent.atomic.AtomicInteger sent =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CompletableFuture<ProviderResponse> answer =
        clients.call(
            new ProviderCall(
                deployment(id),
                Deployments.body("Hello there"),
                "req-sent-" + id,
                Duration.ofSeconds(30),
                () -> assertThat(sent.incrementAndGet()).isEqualTo(1)));
    assertThat(answer.join().status()).isEqualTo(200);
    assertThat(sent.get()).isEqualTo(1);
  }

  @Test
  void aCompletionComesBackInOpenAiShapeWithUsage() {
    String id = newDeployment();
    mock.behave(id, Behavior.ok().withRequiredKey(KEY));
    ProviderResponse response =
        call(
            deployment(id),
            Deployments.body("Hello there"),
            Duration.ofSeconds(30),
            "req-compat-1-" + id);
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.isCompletion()).isTrue();
    assertThat(response.body().path("object").asText()).isEqualTo("chat.completion");
    assertThat(response.body().path("choices").path(0).path("message").path("role").asText())
        .isEqualTo("assistant");
    assertThat(response.body().path("choices").path(0).path("message").path("content").asText())
        .startsWith("mock reply to: Hello there");
    assertThat(response.body().path("choices").path(0).path("finish_reason").asText())
        .isEqualTo("stop");
    assertThat(response.usage()).isNotNull();
    assertThat(response.usage().promptTokens()).isPositive();
    assertThat(response.usage().completionTokens()).isPositive();
    assertThat(response.body().path("usage").path("total_tokens").asInt())
        .isEqualTo(response.usage().totalTokens());
    assertThat(OutcomeClassifier.classify(response, 0, 2)).isEqualTo(Outcome.SUCCESS);
    List<Call> calls = mock.calls(id);
    assertThat(calls).hasSize(1);
    assertThat(calls.get(0).requestId()).isEqualTo("req-compat-1-" + id);
    assertThat(calls.get(0).credentialPresent()).isTrue();
    assertThat(calls.get(0).model()).isEqualTo("model-" + id);
    assertThat(calls.get(0).status()).isEqualTo(200);
  }

  @Test
  void aTruncatedAnswerFinishesWithLength() {
    String id = newDeployment();
    ObjectNode body = Deployments.body("Tell me a long story about a lighthouse keeper");
    body.put("max_tokens", 1);
    ProviderResponse response = call(deployment(id), body);
    assertThat(response.body().path("choices").path(0).path("finish_reason").asText())
        .isEqualTo("length");
    assertThat(response.usage().completionTokens()).isEqualTo(1);
  }

  @Test
  void aWrongKeyMakesTheDeploymentUnusable() {
    String id = newDeployment();
    mock.behave(id, Behavior.ok().withRequiredKey("sk-another-key-entirely-000"));
    ProviderResponse response = call(deployment(id), Deployments.body("Hi"));
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.errorMessage()).isNotBlank();
    assertThat(OutcomeClassifier.classify(response, 0, 2)).isEqualTo(Outcome.FALLBACK);
  }

  @Test
  void aKeyVariableThatIsNotSetIsReportedWithoutCalling() {
    String id = newDeployment();
    DeploymentConfig deployment =
        Deployments.of(provider(), id, "m", apiBase(mock, id), "SB_NOT_SET_ANYWHERE");
    ProviderResponse response = call(deployment, Deployments.body("Hi"));
    assertThat(response.failure().kind()).isEqualTo(TransportFailure.Kind.NOT_CONFIGURED);
    assertThat(response.failure().message()).contains("SB_NOT_SET_ANYWHERE").contains(id);
    assertThat(OutcomeClassifier.classify(response, 0, 2)).isEqualTo(Outcome.FALLBACK);
    assertThat(mock.calls(id)).isEmpty();
  }

  @Test
  void aRateLimitedCallCarriesTheServersDelay() {
    String id = newDeployment();
    mock.behave(id, Behavior.ok().withRateLimitEvery(1).withRetryAfter(Duration.ofSeconds(2)));
    ProviderResponse response = call(deployment(id), Deployments.body("Hi"));
    assertThat(response.status()).isEqualTo(429);
    assertThat(response.header("retry-after")).isEqualTo("2");
    assertThat(ServerDelay.of(response, Instant.now()))
        .hasValueSatisfying(d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ofSeconds(2)));
    assertThat(OutcomeClassifier.classify(response, 0, 2)).isEqualTo(Outcome.RETRY);
  }

  @Test
  void serverErrorsAreRetriedThenFallBack() {
    for (int status : new int[] {500, 503, 529}) {
      String id = newDeployment();
      mock.behave(id, Behavior.ok().withStatus(status));
      ProviderResponse response = call(deployment(id), Deployments.body("Hi"));
      assertThat(response.status()).isEqualTo(status);
      assertThat(response.errorMessage()).as("HTTP %d", status).isNotBlank();
      assertThat(OutcomeClassifier.classify(response, 0, 1)).isEqualTo(Outcome.RETRY);
      assertThat(OutcomeClassifier.classify(response, 1, 1)).isEqualTo(Outcome.FALLBACK);
    }
  }

  @Test
  void aPromptOverTheContextWindowIsAContextWindowOutcome() {
    String id = newDeployment();
    mock.behave(id, Behavior.ok().withContextWindow(5));
    ProviderResponse response = call(deployment(id), Deployments.body("word ".repeat(200)));
    assertThat(response.status()).isEqualTo(400);
    assertThat(OutcomeClassifier.classify(response, 0, 2)).isEqualTo(Outcome.CONTEXT_WINDOW);
  }

  @Test
  void aMissingDeploymentFallsBack() {
    String id = newDeployment();
    mock.behave(id, Behavior.ok().withStatus(404));
    ProviderResponse response = call(deployment(id), Deployments.body("Hi"));
    assertThat(response.status()).isEqualTo(404);
    assertThat(OutcomeClassifier.classify(response, 0, 2)).isEqualTo(Outcome.FALLBACK);
  }

  @Test
  void aHangingProviderTimesOut() {
    String id = newDeployment();
    mock.behave(id, Behavior.ok().withFault(Fault.HANG));
    ProviderResponse response =
        call(deployment(id), Deployments.body("Hi"), Duration.ofMillis(300), "req-hang");
    assertThat(response.failure().kind()).isEqualTo(TransportFailure.Kind.TIMEOUT);
    assertThat(OutcomeClassifier.classify(response, 0, 2)).isEqualTo(Outcome.RETRY);
  }

  @Test
  void aResetConnectionIsATransientFailure() {
    String id = newDeployment();
    mock.behave(id, Behavior.ok().withFault(Fault.RESET));
    ProviderResponse response = call(deployment(id), Deployments.body("Hi"));
    assertThat(response.failure()).isNotNull();
    assertThat(response.failure().kind())
        .isIn(TransportFailure.Kind.CONNECTION_RESET, TransportFailure.Kind.IO);
    assertThat(OutcomeClassifier.classify(response, 0, 2)).isEqualTo(Outcome.RETRY);
  }

  @Test
  void garbageWithStatus200IsRetried() {
    String id = newDeployment();
    mock.behave(id, Behavior.ok().withFault(Fault.GARBAGE));
    ProviderResponse response = call(deployment(id), Deployments.body("Hi"));
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.isCompletion()).isFalse();
    assertThat(response.errorMessage()).contains("not a chat completion");
    assertThat(OutcomeClassifier.classify(response, 0, 2)).isEqualTo(Outcome.RETRY);
    assertThat(OutcomeClassifier.classify(response, 2, 2)).isEqualTo(Outcome.FALLBACK);
  }

  @Test
  void aRefusedConnectionIsAConnectFailure() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String id = newDeployment();
    DeploymentConfig deployment =
        Deployments.of(provider(), id, "m", "http://127.0.0.1:" + port + "/v1", KEY_ENV);
    ProviderResponse response = call(deployment, Deployments.body("Hi"));
    assertThat(response.failure().kind()).isEqualTo(TransportFailure.Kind.CONNECT);
    assertThat(OutcomeClassifier.classify(response, 0, 2)).isEqualTo(Outcome.RETRY);
  }

  @Test
  void manyConcurrentCallsAllComeBack() {
    String id = newDeployment();
    mock.behave(id, Behavior.ok().withLatencyMs(50));
    DeploymentConfig deployment = deployment(id);
    List<ProviderResponse> responses =
        java.util.stream.IntStream.range(0, 200)
            .mapToObj(
                i ->
                    clients.call(
                        new ProviderCall(
                            deployment,
                            Deployments.body("n" + i),
                            "req-many-" + i,
                            Duration.ofSeconds(60))))
            .toList()
            .stream()
            .map(java.util.concurrent.CompletableFuture::join)
            .toList();
    assertThat(responses).allSatisfy(r -> assertThat(r.isCompletion()).isTrue());
    assertThat(mock.calls(id)).hasSize(200);
  }
}
