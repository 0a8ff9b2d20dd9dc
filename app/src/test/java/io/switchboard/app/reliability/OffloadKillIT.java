package io.switchboard.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.app.BatchCommand;
import io.switchboard.router.Router;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.BatchBehavior;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.testkit.process.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code switchboard batch} with an OpenAI Batch file of 10,000 lines, run as a process, through
 * the router to an offload deployment whose worker, a real {@code switchboard worker} process, is
 * killed with SIGKILL after the provider created the first batch job and before it completed. A
 * second worker takes over: it resumes polling the recorded jobs instead of submitting them again.
 * The batch's output holds every custom id exactly once, each answered by a provider job at the
 * batch price, and the provider created one job per group of lines.
 */
class OffloadKillIT {
  static final int LINES = 10_000;
  static final String DEPLOYMENT = "okill-batch";
  static final Map<String, String> ENV = Map.of("BATCH_KEY", "sk-offload-kill-test-0123456789");
  static final double INPUT_PRICE = 1.0;
  static final double OUTPUT_PRICE = 2.0;
  static final double BATCH_COST_FACTOR = 0.5;

  static KafkaBroker broker;
  static MockProvider mock;

  final List<ChildJvm> children = new ArrayList<>();
  Router router;

  @TempDir Path dir;

  @BeforeAll
  static void startBrokerAndMock() {
    broker = KafkaBrokers.start(TestSetup.FAST_FAILOVER_BROKER);
    mock = MockProvider.start();
    // "24 h" in 12 s: long enough to kill the worker while the first job runs
    mock.behaveBatches(DEPLOYMENT, BatchBehavior.completesAfter(Duration.ofSeconds(12)));
  }

  @AfterAll
  static void stopBrokerAndMock() {
    if (mock != null) {
      mock.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @AfterEach
  void stopProcesses() {
    TestSetup.closeAll(children);
    if (router != null) {
      router.close();
    }
  }

  private Map<String, String> kafka() {
    Map<String, String> k = new HashMap<>(TestSetup.FAST_FAILOVER);
    k.put("bootstrap.servers", broker.bootstrapServers());
    return k;
  }

  private Path config(String prefix) throws Exception {
    StringBuilder y = new StringBuilder();
    y.append(
        """
        model_list:
          - model_name: batch-chat
            deployment_id: %1$s
            provider: openai
            api_base: %2$s/v1
            api_key: ${BATCH_KEY}
            lanes: 2
            input_cost_per_million: %4$s
            output_cost_per_million: %5$s
            batch_api: openai
            batch_max_requests: 2500
            batch_max_wait_seconds: 20
            batch_poll_interval_ms: 500
            batch_cost_factor: %6$s
        topics:
          requests: %3$s.requests
          dispatch: %3$s.dispatch
          fallbacks: %3$s.fallbacks
          replies: %3$s.replies
          metrics: %3$s.metrics
          health: %3$s.health
          dead_letter: %3$s.dead-letter
          offload_jobs: %3$s.offload-jobs
          request_partitions: 3
        router_settings: {application_id: %3$s-router}
        worker_settings: {group_id: %3$s-worker, transactional_id_prefix: %3$s-worker, shutdown_grace_ms: 5000}
        observability: {port: 0}
        kafka:
        """
            .formatted(
                DEPLOYMENT,
                mock.baseUrl(DEPLOYMENT),
                prefix,
                INPUT_PRICE,
                OUTPUT_PRICE,
                BATCH_COST_FACTOR));
    kafka().forEach((k, v) -> y.append("  ").append(k).append(": '").append(v).append("'\n"));
    Path file = dir.resolve(prefix + ".yaml");
    Files.writeString(file, y.toString());
    return file;
  }

  /** An OpenAI Batch input file: custom ids {@code c-0 .. c-(lines-1)}, model batch-chat. */
  private Path input(int lines) throws Exception {
    Path file = dir.resolve("in.jsonl");
    try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < lines; i++) {
        w.write(
            "{\"custom_id\":\"c-"
                + i
                + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
                + "{\"model\":\"batch-chat\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"line "
                + i
                + "\"}],\"max_tokens\":16}}\n");
      }
    }
    return file;
  }

  @Test
  @Timeout(400)
  void aBatchFileThroughAnOffloadDeploymentSurvivesAWorkerKilledWhileItsJobRuns() throws Exception {
    Path config = config("okill");
    SwitchboardConfig loaded = TestSetup.load(config, ENV);
    router = new Router(loaded, Clock.systemUTC());
    router.start();
    router.awaitRunning(Duration.ofSeconds(60));
    ChildJvm first = TestSetup.worker("worker-1", config, dir, ENV);
    children.add(first);
    Traffic.awaitGroup(kafka(), loaded.workerSettings().groupId(), 1, Duration.ofSeconds(90));

    long start = System.nanoTime();
    Path output = dir.resolve("out.jsonl");
    // every line in flight at once, so that lines are grouped into jobs of batch_max_requests
    ChildJvm batch =
        TestSetup.batch(
            "batch",
            config,
            dir,
            ENV,
            "--input",
            input(LINES).toString(),
            "--output",
            output.toString(),
            "--max-in-flight",
            String.valueOf(LINES),
            "--timeout",
            "300",
            "--progress",
            "plain",
            "--progress-interval",
            "5");
    children.add(batch);

    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> mock.batchJobsCreated(DEPLOYMENT) >= 1);
    int createdBeforeKill = mock.batchJobsCreated(DEPLOYMENT);
    long killedAt = System.nanoTime();
    assertThat(Files.exists(output) ? Files.size(output) : 0L)
        .as("no line answered before the kill")
        .isZero();
    first.kill();
    children.add(TestSetup.worker("worker-2", config, dir, ENV));

    int exit = batch.awaitExit(Duration.ofSeconds(300));
    List<Integer> sizes = mock.batchJobSizes(DEPLOYMENT);
    System.out.printf(
        "offload kill: %d lines, %d jobs created before the kill (%d s after the batch started),"
            + " jobs %s, the batch ended %d s after the kill%n",
        LINES,
        createdBeforeKill,
        Duration.ofNanos(killedAt - start).toSeconds(),
        sizes,
        Duration.ofNanos(System.nanoTime() - killedAt).toSeconds());
    assertThat(exit)
        .as("switchboard batch: every line ok\n%s", TestSetup.tails(children))
        .isEqualTo(BatchCommand.EXIT_OK);

    List<JsonNode> lines =
        Files.readAllLines(output, StandardCharsets.UTF_8).stream().map(Json::parse).toList();
    assertThat(lines.stream().map(l -> l.get("custom_id").asText()))
        .as("every custom_id exactly once")
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(
            IntStream.range(0, LINES).mapToObj(i -> "c-" + i).toList());
    assertThat(lines)
        .allSatisfy(
            l -> {
              JsonNode s = l.get("switchboard");
              assertThat(s.get("status").asText()).isEqualTo("ok");
              assertThat(s.path("batch_job_id").asText()).startsWith("batch_mock");
              assertThat(l.at("/response/body/choices/0/message/content").asText())
                  .contains("line " + l.get("custom_id").asText().substring(2));
              double full =
                  (s.get("tokens_in").asInt() * INPUT_PRICE
                          + s.get("tokens_out").asInt() * OUTPUT_PRICE)
                      / 1_000_000;
              assertThat(s.get("cost_usd").asDouble())
                  .as("cost at the batch price")
                  .isCloseTo(full * BATCH_COST_FACTOR, Offset.offset(1e-12));
            });
    // One provider job per group of lines: no job was submitted twice, and each answered its own.
    Map<String, Long> perJob =
        lines.stream()
            .collect(
                Collectors.groupingBy(
                    l -> l.at("/switchboard/batch_job_id").asText(), Collectors.counting()));
    assertThat(mock.batchJobsCreated(DEPLOYMENT)).isEqualTo(perJob.size());
    assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(LINES);
    assertThat(perJob.values().stream().sorted().toList())
        .isEqualTo(sizes.stream().map(Long::valueOf).sorted().toList());
    assertThat(mock.calls(DEPLOYMENT)).as("no line called in real time").isEmpty();
  }
}
