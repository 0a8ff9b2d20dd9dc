package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.sandbox.bench.LoadGenerator;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.kafka.InProcessKafkaBroker;
import io.switchboard.testkit.process.FreePorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Keeps `switchboard bench` working: a few seconds of load, no figures asserted. */
class BenchSmokeIT {
  /** The topic that the cluster of the runs on a cluster they did not start holds of its own. */
  static final String OTHERS_TOPIC = "someone.elses";

  /** That cluster: started by the first of those runs, shared by the others. */
  private static InProcessKafkaBroker sharedCluster;

  static synchronized InProcessKafkaBroker cluster() throws Exception {
    if (sharedCluster == null) {
      sharedCluster = InProcessKafkaBroker.start();
      try (Admin admin =
          Admin.create(
              Map.<String, Object>of("bootstrap.servers", sharedCluster.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(OTHERS_TOPIC, 1, (short) 1))).all().get();
      }
    }
    return sharedCluster;
  }

  @AfterAll
  static synchronized void stopCluster() {
    if (sharedCluster != null) {
      sharedCluster.close();
      sharedCluster = null;
    }
  }

  /** What a bench run printed and its JSON report. */
  record Run(String out, JsonNode report) {}

  /** Runs {@code switchboard bench} with {@code args} and a JSON report; it must exit 0. */
  static Run bench(Path dir, String... args) throws Exception {
    Path json = dir.resolve("bench.json");
    StringWriter out = new StringWriter();
    CommandLine cli = SandboxMain.commandLine();
    cli.setOut(new PrintWriter(out));
    List<String> command = new ArrayList<>(List.of("bench"));
    command.addAll(List.of(args));
    command.addAll(List.of("--json", json.toString()));
    int code = cli.execute(command.toArray(String[]::new));
    assertThat(code).as(out.toString()).isZero();
    return new Run(out.toString(), Json.mapper().readTree(Files.readString(json)));
  }

  @Test
  @Timeout(180)
  void benchRunsAndWritesAConsistentJsonReport(@TempDir Path dir) throws Exception {
    Run run = bench(dir, "--duration-seconds", "3", "--in-flight", "50", "--requests", "400");
    JsonNode report = run.report();
    assertThat(report.path("sent").asLong())
        .isPositive()
        .isEqualTo(report.path("replies").asLong());
    assertThat(report.path("errors").asLong()).isZero();
    assertThat(report.path("peak_in_flight").asLong()).isBetween(1L, 50L);
    assertThat(report.path("reply_latency").path("p50").asDouble()).isPositive();
    assertThat(report.path("cpu_ms_per_request").asDouble()).isPositive();
    assertThat(report.path("heap").isArray()).isTrue();
    assertThat(report.path("split_deviation").size()).isEqualTo(2);
    report
        .path("split_deviation")
        .forEach(d -> assertThat(Math.abs(d.asDouble())).isLessThanOrEqualTo(6.0));
    assertThat(report.path("baseline_records_per_second").asDouble()).isPositive();
    assertThat(report.has("baseline_eos_records_per_second")).as(report.toString()).isTrue();
    assertThat(report.path("baseline_eos_records_per_second").asDouble()).isPositive();
    assertThat(report.path("ratio_to_eos_baseline").asDouble()).isPositive();
    assertThat(run.out())
        .contains("raw Kafka, 3 hops, at-least-once: ")
        .contains("raw Kafka, 3 hops, exactly-once (transactions, read_committed): ");
  }

  @Test
  @Timeout(180)
  void openLoopGetsEveryReplyAtTheTargetRate(@TempDir Path dir) throws Exception {
    Run run = bench(dir, "--rate", "100", "--duration-seconds", "3", "--no-baseline");
    JsonNode report = run.report();
    assertThat(report.path("mode").asText()).isEqualTo("open");
    assertThat(report.has("broker_process_cpu_seconds")).isFalse();
    assertThat(report.path("broker").asText()).startsWith("in-process KRaft broker");
    assertThat(report.path("collector").asText()).isNotBlank();
    assertThat(report.path("sent").asLong()).isBetween(250L, 350L);
    assertThat(report.path("replies").asLong()).isEqualTo(report.path("sent").asLong());
    // Each stage is a part of the reply time: none may exceed the slowest reply (1 ms resolution).
    JsonNode stages = report.path("stages");
    assertThat(Json.mapper().convertValue(stages, Map.class).keySet())
        .containsExactlyElementsOf(LoadGenerator.STAGES);
    double slowest = report.path("reply_latency").path("max").asDouble();
    stages.forEach(stage -> assertThat(stage.path("max").asDouble()).isBetween(0.0, slowest + 1));
    // The router's commit interval alone puts requests behind it for a while before their call.
    assertThat(stages.path("router->call").path("p50").asDouble()).isPositive();
  }

  @Test
  @Timeout(180)
  void theProviderSeesNoMoreThanADeploymentsRpmOrItsRateWindowsPartAndItsPeerTakesTheRest(
      @TempDir Path dir) throws Exception {
    // bench-a's and bench-c's weighted shares (29% of 60 req/s each) are far over their rpm of 60
    // (10 per router task); bench-c also spreads its rpm over 10 s windows: 10 calls in any 10 s.
    Path config = dir.resolve("rpm.yaml");
    Files.writeString(
        config,
        """
        model_list:
          - {model_name: chat, deployment_id: bench-a, provider: openai_compatible, model: mock-a,
             api_base: "${MOCK_URL}/d/bench-a/v1", weight: 70, rpm: 60, lanes: 3, max_retries: 0}
          - {model_name: chat, deployment_id: bench-b, provider: openai_compatible, model: mock-b,
             api_base: "${MOCK_URL}/d/bench-b/v1", weight: 30, lanes: 3, max_retries: 0}
          - {model_name: chat, deployment_id: bench-c, provider: openai_compatible, model: mock-c,
             api_base: "${MOCK_URL}/d/bench-c/v1", weight: 70, rpm: 60, rate_window_seconds: 10, lanes: 3,
             max_retries: 0}
          - {model_name: chat, deployment_id: bench-d, provider: openai_compatible, model: mock-d,
             api_base: "${MOCK_URL}/d/bench-d/v1", weight: 70, tpm: 600, lanes: 3, max_retries: 0}
        topics: {request_partitions: 6}
        """);
    Run run =
        bench(
            dir,
            "--config",
            config.toString(),
            "--rate",
            "60",
            "--duration-seconds",
            "5",
            "--no-baseline");
    JsonNode report = run.report();
    assertThat(report.path("replies").asLong())
        .isEqualTo(report.path("sent").asLong())
        .isGreaterThan(250);
    assertThat(report.path("errors").asLong()).isZero();
    // The run is shorter than a minute: the window's count is every call bench-a got.
    JsonNode window = report.path("rpm_window_max").path("bench-a");
    assertThat(window.get(1).asInt()).isEqualTo(60);
    assertThat(window.get(0).asInt()).as(run.out()).isBetween(40, 60);
    // Any 10 s of the run holds all of its calls (it lasts 5 s): the same count.
    assertThat(window.get(2).asInt()).isEqualTo(window.get(0).asInt());
    assertThat(window.get(3).asInt()).isEqualTo(10);
    assertThat(window.get(4).asInt()).as("bench-a has no rate window").isZero();
    JsonNode spread = report.path("rpm_window_max").path("bench-c");
    assertThat(spread.get(3).asInt()).isEqualTo(10);
    assertThat(spread.get(4).asInt()).isEqualTo(1);
    assertThat(spread.get(2).asInt()).as(run.out()).isBetween(1, 10);
    assertThat(report.path("rpm_window_max").has("bench-b")).isFalse();
    assertThat(run.out())
        .contains("rpm   bench-a")
        .contains("rpm   bench-c")
        .doesNotContain("OVER");
    // bench-b has no budget to run out of, so nothing was routed over budget.
    assertThat(report.path("over_budget").path("bench-a").isNumber()).as(run.out()).isTrue();
    assertThat(
            report.path("over_budget").path("bench-a").asLong()
                + report.path("over_budget").path("bench-c").asLong())
        .isZero();
    assertThat(report.path("over_budget").has("bench-b")).isFalse();
    // bench-d's tpm of 600 takes about twenty of the bench's requests a minute; its weighted share
    // is far more.
    JsonNode tokens = report.path("tpm_window_max").path("bench-d");
    assertThat(tokens.get(1).asLong()).isEqualTo(600);
    assertThat(tokens.get(0).asLong()).as(run.out()).isBetween(300L, 600L);
    assertThat(report.path("tpm_window_max").has("bench-a")).isFalse();
    assertThat(run.out()).contains("tpm   bench-d");
  }

  @Test
  @Timeout(180)
  void brokerInAChildJvmServesTheRunAndItsCpuIsCounted(@TempDir Path dir) throws Exception {
    Run run =
        bench(dir, "--broker-process", "--rate", "50", "--duration-seconds", "2", "--no-baseline");
    JsonNode report = run.report();
    assertThat(run.out()).contains("Kafka broker process at");
    assertThat(report.path("replies").asLong())
        .isPositive()
        .isEqualTo(report.path("sent").asLong());
    // The broker's JVM did work for the run, and that work is part of the CPU per request.
    double brokerCpu = report.path("broker_process_cpu_seconds").asDouble();
    assertThat(brokerCpu).isPositive();
    assertThat(
            report.path("cpu_ms_per_request").asDouble() * report.path("replies").asLong() / 1000)
        .isGreaterThanOrEqualTo(brokerCpu);
  }

  @Test
  @Timeout(240)
  void runsOnAClusterItDidNotStartAndRemovesWhatTheRunCreatedThere(@TempDir Path dir)
      throws Exception {
    InProcessKafkaBroker cluster = cluster();
    try (Admin admin =
        Admin.create(Map.<String, Object>of("bootstrap.servers", cluster.bootstrapServers()))) {
      Run run =
          bench(
              dir,
              "--bootstrap-servers",
              cluster.bootstrapServers(),
              "--rate",
              "50",
              "--duration-seconds",
              "2",
              "--requests",
              "80");
      JsonNode report = run.report();
      assertThat(run.out()).contains("bench: Kafka cluster at " + cluster.bootstrapServers());
      assertThat(report.path("broker").asText())
          .startsWith("Kafka cluster at " + cluster.bootstrapServers());
      assertThat(report.path("replies").asLong())
          .isPositive()
          .isEqualTo(report.path("sent").asLong());
      assertThat(report.path("baseline_eos_records_per_second").asDouble()).isPositive();
      // The run's topics (requests to replies, the router's changelogs, the baselines' hops) and
      // groups are gone; the cluster's own topic is left as it was.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      Set<String> topics = admin.listTopics().names().get();
      while (!topics.equals(Set.of(OTHERS_TOPIC)) && System.nanoTime() < until) {
        Thread.sleep(200);
        topics = admin.listTopics().names().get();
      }
      assertThat(topics).containsExactly(OTHERS_TOPIC);
      assertThat(admin.listGroups().all().get()).extracting(GroupListing::groupId).isEmpty();
    }
  }

  @Test
  @Timeout(240)
  void aRunThatFailsToStartOnAClusterRemovesTheTopicsItHadCreated(@TempDir Path dir)
      throws Exception {
    InProcessKafkaBroker cluster = cluster();
    try (Admin admin =
        Admin.create(Map.<String, Object>of("bootstrap.servers", cluster.bootstrapServers()))) {
      // The router creates the run's topics, then neither its stream thread nor the worker can
      // start: a transaction timeout above the broker's transaction.max.timeout.ms (15 minutes)
      // fails their initTransactions.
      Path config = dir.resolve("bench.yaml");
      try (var builtIn = BenchCommand.class.getResourceAsStream(BenchCommand.BENCH_CONFIG)) {
        Files.writeString(
            config,
            new String(builtIn.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                + "kafka:\n  transaction.timeout.ms: \"3600000\"\n");
      }
      StringWriter out = new StringWriter();
      CommandLine cli = SandboxMain.commandLine();
      cli.setOut(new PrintWriter(out));
      cli.setErr(new PrintWriter(new StringWriter()));
      int code =
          cli.execute(
              "bench",
              "--bootstrap-servers",
              cluster.bootstrapServers(),
              "--config",
              config.toString(),
              "--duration-seconds",
              "1",
              "--no-baseline");
      assertThat(code).as(out.toString()).isNotZero();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      Set<String> topics = admin.listTopics().names().get();
      while (!topics.equals(Set.of(OTHERS_TOPIC)) && System.nanoTime() < until) {
        Thread.sleep(200);
        topics = admin.listTopics().names().get();
      }
      assertThat(topics).containsExactly(OTHERS_TOPIC);
      assertThat(admin.listGroups().all().get()).extracting(GroupListing::groupId).isEmpty();
      // Nor are the run's threads (named after the router's and the worker's ids with the run's
      // suffix) left behind: a router's would create its changelogs again after the cleanup.
      assertThat(threadsOfARun()).isEmpty();
    }
  }

  /** The live threads of routers and workers that bench runs started, after up to 10 s. */
  static List<String> threadsOfARun() throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      List<String> names =
          Thread.getAllStackTraces().keySet().stream()
              .filter(Thread::isAlive)
              .map(Thread::getName)
              .filter(name -> name.matches(".*switchboard-(router|worker)\\.bench-.*"))
              .toList();
      if (names.isEmpty() || System.nanoTime() > until) {
        return names;
      }
      Thread.sleep(200);
    }
  }

  @Test
  @Timeout(120)
  void aClusterThatDoesNotAnswerIsAnErrorNamingIt() {
    String nobody = "127.0.0.1:" + FreePorts.next();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = SandboxMain.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    long started = System.nanoTime();
    int code =
        cli.execute(
            "bench",
            "--bootstrap-servers",
            nobody,
            "--cluster-timeout-seconds",
            "2",
            "--duration-seconds",
            "1",
            "--no-baseline");
    assertThat(code).as(out + "\n" + err).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "error: --bootstrap-servers " + nobody + ": no answer from the cluster within 2 s");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  @Timeout(180)
  void http2ShortCallsAreAnsweredOverH2cOnly(@TempDir Path dir) throws Exception {
    // the mock then speaks HTTP/2 only: a worker that spoke HTTP/1.1 to it would get no answer
    Run run = bench(dir, "--http2", "--rate", "100", "--duration-seconds", "3", "--no-baseline");
    JsonNode report = run.report();
    assertThat(run.out()).contains("HTTP/2 (h2c) between the worker and the mock provider");
    // the rate itself is openLoopGetsEveryReplyAtTheTargetRate's to check
    assertThat(report.path("sent").asLong())
        .isGreaterThanOrEqualTo(100)
        .isEqualTo(report.path("replies").asLong());
    assertThat(report.path("errors").asLong()).isZero();
  }

  @Test
  @Timeout(240)
  void longCallsSetTheirTimeoutsAboveTheLatencyAndHoldTheWholeLoopInFlight(@TempDir Path dir)
      throws Exception {
    Run run =
        bench(
            dir,
            "--latency-ms",
            "3000",
            "--in-flight",
            "2000",
            "--duration-seconds",
            "4",
            "--no-baseline");
    JsonNode report = run.report();
    assertThat(run.out())
        .contains("long calls (mock latency 3000 ms >= 3000 ms): call timeout 16000 ms")
        .contains("HTTP/2 (h2c)")
        .contains("live heap at most ");
    assertThat(report.path("sent").asLong())
        .isGreaterThanOrEqualTo(2000)
        .isEqualTo(report.path("replies").asLong());
    assertThat(report.path("errors").asLong()).isZero();
    assertThat(report.path("peak_worker_in_flight").asLong()).isBetween(1001L, 2000L);
  }
}
