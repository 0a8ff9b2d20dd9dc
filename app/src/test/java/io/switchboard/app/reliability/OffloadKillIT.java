package io.switchboard.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.app.reliability.Traffic.Replies;
import io.switchboard.router.Router;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.config.SwitchboardConfig;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 requests of class batch through the router to an offload deployment whose worker, a real
 * {@code switchboard worker} process, is killed with SIGKILL after the provider created a batch job
 * and before the job completed. A second worker takes over: it resumes polling the recorded jobs
 * instead of submitting them again, every request gets exactly one reply, and the provider holds
 * each request in exactly one job.
 */
class OffloadKillIT {
  static final int REQUESTS = 10_000;
  static final String DEPLOYMENT = "okill-batch";
  static final Map<String, String> ENV = Map.of("BATCH_KEY", "sk-offload-kill-test-0123456789");

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
            batch_api: openai
            batch_max_requests: 2500
            batch_max_wait_seconds: 20
            batch_poll_interval_ms: 500
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
            .formatted(DEPLOYMENT, mock.baseUrl(DEPLOYMENT), prefix));
    kafka().forEach((k, v) -> y.append("  ").append(k).append(": '").append(v).append("'\n"));
    Path file = dir.resolve(prefix + ".yaml");
    Files.writeString(file, y.toString());
    return file;
  }

  @Test
  @Timeout(600)
  void aWorkerKilledWhileItsBatchJobRunsIsReplacedWithoutASecondJobOrASecondReply()
      throws Exception {
    String prefix = "okill";
    Path config = config(prefix);
    SwitchboardConfig loaded = TestSetup.load(config, ENV);
    router = new Router(loaded, Clock.systemUTC());
    router.start();
    router.awaitRunning(Duration.ofSeconds(60));
    ChildJvm first = TestSetup.worker("worker-1", config, dir, ENV);
    children.add(first);
    Traffic.awaitGroup(kafka(), loaded.workerSettings().groupId(), 1, Duration.ofSeconds(90));

    Map<String, byte[]> requests = new LinkedHashMap<>();
    for (int i = 0; i < REQUESTS; i++) {
      String id = prefix + "-" + i;
      requests.put(
          id,
          ("{\"id\":\""
                  + id
                  + "\",\"model\":\"batch-chat\",\"priority\":\"batch\",\"body\":{\"messages\":"
                  + "[{\"role\":\"user\",\"content\":\"line "
                  + i
                  + "\"}],\"max_tokens\":16}}")
              .getBytes(StandardCharsets.UTF_8));
    }
    Traffic.sendAll(kafka(), loaded.topics().requests(), requests);

    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> mock.batchJobsCreated(DEPLOYMENT) >= 1);
    int createdBeforeKill = mock.batchJobsCreated(DEPLOYMENT);
    first.kill();
    children.add(TestSetup.worker("worker-2", config, dir, ENV));

    Replies replies =
        Traffic.collect(
            kafka(),
            loaded.topics().replies(),
            requests.keySet(),
            Duration.ofSeconds(300),
            Duration.ofSeconds(5));
    List<Integer> sizes = mock.batchJobSizes(DEPLOYMENT);
    System.out.printf(
        "offload kill: %d requests, %d jobs created before the kill, jobs %s, %d replies%n",
        REQUESTS, createdBeforeKill, sizes, replies.counts().size());

    assertThat(replies.missing(requests.keySet()))
        .as("requests without a reply\n%s", TestSetup.tails(children))
        .isEmpty();
    assertThat(replies.duplicated()).as("requests with more than one reply").isEmpty();
    assertThat(replies.last().values())
        .allSatisfy(
            r -> {
              assertThat(r.status()).isEqualTo(ReplyStatus.OK);
              assertThat(r.batchJobId()).isNotNull();
            });
    // Each request was in exactly one provider job: no job was submitted twice.
    assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(REQUESTS);
    Map<String, Long> perJob =
        replies.last().values().stream()
            .collect(Collectors.groupingBy(RouteReply::batchJobId, Collectors.counting()));
    assertThat(perJob).hasSize(sizes.size());
    assertThat(mock.calls(DEPLOYMENT)).as("no request called in real time").isEmpty();
  }
}
