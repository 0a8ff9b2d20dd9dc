package io.switchboard.worker.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.mock.BatchBehavior;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.worker.provider.RequestShaper;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The batch clients against the mock provider's batch APIs: a job goes up, is found again by its
 * job id where the API keeps metadata, ends, and its results come back in one shape; the mock's
 * faults (line errors, an expired job, a failed job) read as the clients promise; keys stay out of
 * errors.
 */
@Timeout(60)
class BatchClientsTest {
  static final String KEY = "sk-batch-client-test-0123456789";
  static MockProvider mock;
  final BatchClients clients =
      new BatchClients(name -> "KEY".equals(name) ? KEY : null, Clock.systemUTC());

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    mock = MockProvider.start();
  }

  @AfterAll
  static void stop() {
    mock.close();
  }

  static DeploymentConfig deployment(String api, String name) {
    String provider = api.equals("openai") ? "openai" : api;
    String base = mock.baseUrl(name) + (api.equals("azure") ? "" : "/v1");
    String yaml =
        "model_list:\n  - {model_name: "
            + name
            + ", provider: "
            + provider
            + ", model: m-"
            + name
            + ", api_base: '"
            + base
            + "', api_key: '${KEY}', batch_api: "
            + api
            + "}\n";
    return new ConfigLoader(k -> null).parse(yaml, "t").modelList().get(0);
  }

  Path input(DeploymentConfig d, int lines) throws Exception {
    Path file = dir.resolve("in-" + d.deploymentId() + ".jsonl");
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < lines; i++) {
        ObjectNode body =
            (ObjectNode)
                Json.parse(
                    "{\"messages\":[{\"role\":\"user\",\"content\":\"line "
                        + i
                        + "\"}],\"max_tokens\":20}");
        out.write(
            clients
                .inputLine(d, OffloadPolicy.customId(i), RequestShaper.shape(d, body))
                .toString());
        out.newLine();
      }
    }
    return file;
  }

  Map<String, BatchResult> run(DeploymentConfig d, int lines) throws Exception {
    String batchId = clients.submit(d, "job-" + d.deploymentId(), input(d, lines));
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> clients.status(d, batchId).ended());
    Path out = dir.resolve("out-" + d.deploymentId() + ".jsonl");
    clients.results(d, clients.status(d, batchId), out);
    try (var lines2 = Files.lines(out)) {
      return lines2
          .map(BatchResult::fromLine)
          .collect(Collectors.toMap(BatchResult::customId, r -> r));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"openai", "azure", "anthropic"})
  void aJobGoesUpEndsAndEveryRequestComesBackAsAnOpenAiCompletion(String api) throws Exception {
    DeploymentConfig d = deployment(api, "ok-" + api);
    mock.behaveBatches(d.deploymentId(), BatchBehavior.completesAfter(Duration.ofMillis(200)));
    Map<String, BatchResult> results = run(d, 5);
    assertThat(results).hasSize(5);
    for (int i = 0; i < 5; i++) {
      BatchResult r = results.get(OffloadPolicy.customId(i));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body().path("choices").get(0).path("message").path("content").asText())
          .contains("line " + i);
      assertThat(r.body().path("usage").path("completion_tokens").asInt()).isPositive();
    }
    assertThat(mock.batchJobsCreated(d.deploymentId())).isEqualTo(1);
    if (api.equals("anthropic")) {
      assertThat(clients.find(d, "job-" + d.deploymentId())).isEmpty();
    } else {
      assertThat(clients.find(d, "job-" + d.deploymentId())).isPresent();
      assertThat(clients.find(d, "job-nobody")).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"openai", "anthropic"})
  void lineErrorsCarryTheirStatusAndExpiredRequestsHaveNoResult(String api) throws Exception {
    DeploymentConfig d = deployment(api, "faulty-" + api);
    mock.behaveBatches(
        d.deploymentId(),
        BatchBehavior.completesAfter(Duration.ofMillis(100))
            .withLineErrorEvery(2, 400)
            .expiringWith(0.6));
    Map<String, BatchResult> results = run(d, 10);
    assertThat(results.keySet()).containsExactlyInAnyOrder("d0", "d1", "d2", "d3", "d4", "d5");
    assertThat(results.get("d1").status()).isEqualTo(400);
    assertThat(results.get("d1").body().path("error").path("message").asText()).isNotBlank();
    assertThat(results.get("d0").status()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"openai", "anthropic"})
  void aFailedJobEndsWithoutAnswers(String api) throws Exception {
    DeploymentConfig d = deployment(api, "failed-" + api);
    mock.behaveBatches(
        d.deploymentId(), BatchBehavior.completesAfter(Duration.ofMillis(100)).failing());
    Map<String, BatchResult> results = run(d, 4);
    if (api.equals("openai")) {
      assertThat(results).isEmpty();
    } else {
      assertThat(results.values()).allSatisfy(r -> assertThat(r.status()).isEqualTo(500));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"openai", "azure", "anthropic"})
  void aRefusedKeyIsAnErrorThatNeverShowsTheKey(String api) throws Exception {
    DeploymentConfig d = deployment(api, "locked-" + api);
    mock.behave(d.deploymentId(), Behavior.ok().withRequiredKey("sk-another-key-0123456789"));
    Path file = input(d, 1);
    assertThatThrownBy(() -> clients.submit(d, "job-locked", file))
        .isInstanceOf(BatchApiException.class)
        .hasMessageContaining("HTTP 401")
        .hasMessageContaining(d.deploymentId())
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY))
        .satisfies(e -> assertThat(((BatchApiException) e).retriable()).isFalse());
    assertThat(mock.batchJobsCreated(d.deploymentId())).isZero();
  }
}
