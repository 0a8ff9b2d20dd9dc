package io.switchboard.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.app.reliability.TestSetup.Deployment;
import io.switchboard.app.reliability.Traffic.Load;
import io.switchboard.app.reliability.Traffic.Replies;
import io.switchboard.router.metrics.RouterMeter;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.testkit.process.ChildJvm;
import io.switchboard.worker.metrics.WorkerMeter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus endpoint of the real {@code router} and {@code worker} processes: after some
 * traffic, each scrape has every meter the process declares, its Kafka client metrics (Streams for
 * the router; consumer and producer for the worker) and a ready probe.
 */
class ProcessMetricsIT {
  private static final Pattern SERVING =
      Pattern.compile("serving /metrics, /health and /ready on (http://\\S+)");

  final List<ChildJvm> children = new ArrayList<>();
  final HttpClient http = HttpClient.newHttpClient();
  KafkaBroker broker;
  MockProvider mock;

  @TempDir Path dir;

  @AfterEach
  void stopAll() {
    TestSetup.closeAll(children);
    if (mock != null) {
      mock.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  @Timeout(300)
  void routerAndWorkerProcessesServeTheirMetersAndTheirKafkaClientMetrics() throws Exception {
    broker = KafkaBrokers.start();
    mock = MockProvider.start();
    mock.behaveAll(Behavior.ok());
    Map<String, String> kafka =
        new HashMap<>(Map.of("bootstrap.servers", broker.bootstrapServers()));
    String prefix = "scrape";
    Path config =
        TestSetup.writeConfig(
            dir,
            prefix,
            List.of(
                new Deployment("chat", prefix + "-a", mock.baseUrl(prefix + "-a") + "/v1", null)),
            kafka,
            null);
    SwitchboardConfig loaded = TestSetup.load(config, Map.of());
    ChildJvm router = TestSetup.router("router", config, dir, Map.of());
    children.add(router);
    ChildJvm worker = TestSetup.worker("worker", config, dir, Map.of());
    children.add(worker);
    Traffic.awaitGroup(
        kafka,
        loaded.workerSettings().groupId(),
        1,
        Duration.ofSeconds(120),
        () -> TestSetup.tails(children));

    List<String> ids;
    try (Load load = new Load(kafka, loaded.topics().requests(), prefix, "chat", 50, 20)) {
      ids = load.finish();
    }
    Replies replies =
        Traffic.collect(
            kafka, loaded.topics().replies(), ids, Duration.ofSeconds(90), Duration.ofSeconds(1));
    assertThat(replies.missing(ids))
        .as("requests without a reply\n%s", TestSetup.tails(children))
        .isEmpty();

    String routerScrape = scrape(router, "/metrics");
    for (RouterMeter meter : RouterMeter.values()) {
      assertThat(routerScrape).as(meter.name()).contains(meter.meterName().replace('.', '_'));
    }
    assertThat(routerScrape)
        .contains(
            "switchboard_router_routed_requests_total{deployment=\"scrape-a\",model=\"chat\"} 20.0")
        .contains("kafka_stream_");

    String workerScrape = scrape(worker, "/metrics");
    for (WorkerMeter meter : WorkerMeter.values()) {
      assertThat(workerScrape).as(meter.name()).contains(meter.meterName().replace('.', '_'));
    }
    assertThat(workerScrape).contains("kafka_consumer_").contains("kafka_producer_");

    assertThat(scrape(router, "/ready")).isEqualTo("ok\n");
    assertThat(scrape(worker, "/ready")).isEqualTo("ok\n");
  }

  private String scrape(ChildJvm process, String path) throws Exception {
    Matcher m =
        SERVING.matcher(
            process.awaitLogLine(l -> SERVING.matcher(l).find(), Duration.ofSeconds(60)));
    assertThat(m.find()).isTrue();
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(m.group(1) + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(process.name() + path).isEqualTo(200);
    return response.body();
  }
}
