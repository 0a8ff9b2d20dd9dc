package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.router.aggregator.MetricsAggregator;
import io.switchboard.schemas.MetricsSummary;
import io.switchboard.schemas.MetricsSummary.Scope;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.Topic;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Call;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The metrics path on a real broker: the demo stack (router, worker, mock provider; alias {@code
 * chat} = chat-east 70 + chat-west 30) plus the metrics aggregator; summaries against the mock's
 * call log, then {@code stats --once --json} over the same topic.
 */
class MetricsBrokerIT {
  static final int N = 300;
  static Embedded embedded;
  static MetricsAggregator aggregator;
  static Topics topics;

  @BeforeAll
  static void start() throws Exception {
    embedded =
        Embedded.start(KafkaBrokers::start, null, Embedded.demoBehavior(), 1, Embedded.DEMO_CONFIG);
    aggregator = new MetricsAggregator(embedded.config(), Clock.systemUTC());
    aggregator.start();
    topics = new Topics(embedded.config().topics());
  }

  @AfterAll
  static void stop() {
    if (aggregator != null) {
      aggregator.close();
    }
    if (embedded != null) {
      embedded.close();
    }
  }

  @Test
  @Timeout(180)
  void summariesEqualTheProviderCallsAndStatsReportsThem(@TempDir Path dir) throws Exception {
    Properties props = new Properties();
    props.putAll(embedded.config().kafka());
    try (KafkaProducer<String, RouteRequest> producer =
        new KafkaProducer<>(
            props, new StringSerializer(), topics.requests().valueSerde().serializer())) {
      for (int i = 0; i < N; i++) {
        producer.send(
            new ProducerRecord<>(
                topics.requests().name(), "m-" + i, DemoCommand.sampleRequest("m-" + i)));
      }
    }
    Map<String, MetricsSummary> latest =
        readSummaries(
            props,
            topics.summaries(),
            all ->
                all.routed() == N
                    && all.replies() == N
                    && all.attempts() == embedded.mock().calls().size());

    List<Call> calls = embedded.mock().calls();
    MetricsSummary all = latest.get(MetricsSummary.key(Scope.ALL, MetricsSummary.ALL, null));
    assertThat(all).as("summary of all traffic").isNotNull();
    assertThat(all.routed()).isEqualTo(N);
    assertThat(all.attempts()).isEqualTo(calls.size());
    assertThat(all.successes()).isEqualTo(calls.stream().filter(Call::succeeded).count());
    assertThat(all.replies()).isEqualTo(N);
    assertThat(all.latency().count()).isEqualTo(calls.size());
    assertThat(all.tokensIn()).isPositive();
    assertThat(all.costUsd()).isPositive();
    Map<String, Long> callsPerDeployment =
        calls.stream().collect(Collectors.groupingBy(Call::deployment, Collectors.counting()));
    for (String deployment : List.of("chat-east", "chat-west")) {
      MetricsSummary d = latest.get(MetricsSummary.key(Scope.DEPLOYMENT, deployment, null));
      assertThat(d.attempts()).as(deployment).isEqualTo(callsPerDeployment.get(deployment));
    }

    MetricsSummary chat = latest.get(MetricsSummary.key(Scope.MODEL, "chat", null));
    int tasks = embedded.config().topics().requestPartitions();
    Map<String, MetricsSummary.Share> shares =
        chat.shares().stream()
            .collect(Collectors.toMap(MetricsSummary.Share::deploymentId, s -> s));
    assertThat(shares.get("chat-east").expected()).isCloseTo(0.7, within(1e-9));
    assertThat(shares.get("chat-west").expected()).isCloseTo(0.3, within(1e-9));
    assertThat(shares.get("chat-east").actual()).isCloseTo(0.7, within((double) tasks / N));
    assertThat(shares.get("chat-west").actual()).isCloseTo(0.3, within((double) tasks / N));
    assertThat(shares.get("chat-east").routed()).isEqualTo(callsPerDeployment.get("chat-east"));
    assertThat(
            latest.values().stream()
                .filter(s -> !s.total() && s.scope() == Scope.ALL)
                .mapToLong(MetricsSummary::routed)
                .sum())
        .as("windows add up to the total")
        .isEqualTo(N);

    Path config = dir.resolve("config.yaml");
    Files.writeString(
        config,
        Embedded.resource(Embedded.DEMO_CONFIG).replace("${MOCK_URL}", embedded.mock().baseUrl()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = SandboxMain.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code =
        cli.execute(
            "stats",
            "--config",
            config.toString(),
            "--bootstrap",
            embedded.broker().bootstrapServers(),
            "--once",
            "--json");
    assertThat(code).as(err.toString()).isZero();
    JsonNode stats = Json.parse(out.toString());
    JsonNode model = stats.path("models").get(0);
    assertThat(model.path("name").asText()).isEqualTo("chat");
    assertThat(model.path("routed").asLong()).isEqualTo(N);
    assertThat(model.path("attempts").asLong()).isEqualTo(calls.size());
    assertThat(model.path("cost_usd").asDouble()).isCloseTo(chat.costUsd(), within(1e-9));
    Map<String, JsonNode> rows = new HashMap<>();
    model.path("deployments").forEach(d -> rows.put(d.path("deployment_id").asText(), d));
    assertThat(rows.get("chat-east").path("expected_share").asDouble())
        .isCloseTo(0.7, within(1e-9));
    assertThat(
            rows.get("chat-east").path("routed").asLong()
                + rows.get("chat-west").path("routed").asLong())
        .isEqualTo(N);
    assertThat(stats.path("deployments")).hasSize(2);
    assertThat(stats.path("all").path("replies").asLong()).isEqualTo(N);

    StringWriter table = new StringWriter();
    CommandLine tableCli = SandboxMain.commandLine();
    tableCli.setOut(new PrintWriter(table));
    assertThat(
            tableCli.execute(
                "stats",
                "--config",
                config.toString(),
                "--bootstrap",
                embedded.broker().bootstrapServers(),
                "--once"))
        .isZero();
    assertThat(table.toString())
        .contains("chat-east")
        .contains("70.0%")
        .contains("chat-west")
        .contains("30.0%");
  }

  /**
   * Reads summaries until the running total of all traffic satisfies {@code done} and every other
   * view has caught up with it: the totals per model and per deployment, and the one-minute windows
   * of all traffic, add up to the same routed and attempted counts. Those summaries are kept by
   * different tasks, so one can be published before another. The latest per key.
   */
  static Map<String, MetricsSummary> readSummaries(
      Properties props, Topic<String, MetricsSummary> topic, Predicate<MetricsSummary> done) {
    Properties p = new Properties();
    p.putAll(props);
    p.put("group.id", "metrics-test-" + System.nanoTime());
    p.put("auto.offset.reset", "earliest");
    p.put("isolation.level", "read_committed");
    Map<String, MetricsSummary> latest = new HashMap<>();
    try (KafkaConsumer<String, MetricsSummary> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), topic.valueSerde().deserializer())) {
      consumer.subscribe(List.of(topic.name()));
      long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (System.nanoTime() < end && !settled(latest, done)) {
        for (ConsumerRecord<String, MetricsSummary> r : consumer.poll(Duration.ofMillis(200))) {
          latest.put(r.key(), r.value());
        }
      }
    }
    return latest;
  }

  private static boolean settled(
      Map<String, MetricsSummary> latest, Predicate<MetricsSummary> done) {
    MetricsSummary all = latest.get(MetricsSummary.key(Scope.ALL, MetricsSummary.ALL, null));
    if (all == null || !done.test(all)) {
      return false;
    }
    for (Scope scope : List.of(Scope.MODEL, Scope.DEPLOYMENT)) {
      List<MetricsSummary> totals =
          latest.values().stream().filter(s -> s.total() && s.scope() == scope).toList();
      if (totals.stream().mapToLong(MetricsSummary::routed).sum() != all.routed()
          || totals.stream().mapToLong(MetricsSummary::attempts).sum() != all.attempts()) {
        return false;
      }
    }
    return latest.values().stream()
            .filter(s -> !s.total() && s.scope() == Scope.ALL)
            .mapToLong(MetricsSummary::routed)
            .sum()
        == all.routed();
  }
}
