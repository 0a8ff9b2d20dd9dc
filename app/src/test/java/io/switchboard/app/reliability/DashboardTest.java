package io.switchboard.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * deploy/grafana/dashboards/switchboard.json imports into any Grafana: every query goes through the
 * dashboard's data source variable rather than the uid that compose provisions, and every series it
 * queries is one the processes export (Switchboard's meters and the Kafka Streams series it uses as
 * docs/metrics.md lists them, Kafka client meters as Micrometer's binder names them).
 */
class DashboardTest {
  static final Pattern SERIES = Pattern.compile("\\b(?:switchboard|kafka)_[a-z0-9_]+");
  static Path root;
  static JsonNode dashboard;

  @BeforeAll
  static void read() throws Exception {
    root = ComposeFileTest.projectRoot();
    dashboard =
        new ObjectMapper()
            .readTree(root.resolve("deploy/grafana/dashboards/switchboard.json").toFile());
  }

  @Test
  void everyPanelAndQueryUsesTheDataSourceVariable() throws Exception {
    JsonNode variables = dashboard.path("templating").path("list");
    JsonNode variable = variables.get(0);
    assertThat(variable.path("type").asText())
        .as("the first template variable's type")
        .isEqualTo("datasource");
    assertThat(variable.path("query").asText()).isEqualTo("prometheus");
    String reference = "${" + variable.path("name").asText() + "}";

    List<JsonNode> users = new ArrayList<>();
    for (JsonNode panel : panels()) {
      users.add(panel);
      panel.path("targets").forEach(users::add);
    }
    variables.forEach(
        v -> {
          if (!v.path("type").asText().equals("datasource")) {
            users.add(v);
          }
        });
    assertThat(panels())
        .isNotEmpty()
        .allSatisfy(p -> assertThat(p.path("targets")).as(p.path("title").asText()).isNotEmpty());
    assertThat(users)
        .allSatisfy(
            u -> {
              assertThat(u.path("datasource").path("uid").asText())
                  .as(u.path("title").asText(u.path("refId").asText()))
                  .isEqualTo(reference);
              assertThat(u.path("datasource").path("type").asText()).isEqualTo("prometheus");
            });
    assertThat(dashboard.findValues("datasource"))
        .allSatisfy(ds -> assertThat(ds.path("uid").asText()).isEqualTo(reference));

    String provisionedUid =
        ComposeFileTest.YAML
            .readTree(
                root.resolve("deploy/grafana/provisioning/datasources/prometheus.yml").toFile())
            .path("datasources")
            .get(0)
            .path("uid")
            .asText();
    assertThat(provisionedUid).isNotEmpty();
    assertThat(Files.readString(root.resolve("deploy/grafana/dashboards/switchboard.json")))
        .doesNotContain(provisionedUid);
  }

  @Test
  @Timeout(60)
  void theConsumerLagPanelQueriesTheRecordsLagTheKafkaClientBinderExports() {
    JsonNode lag =
        panels().stream()
            .filter(p -> p.path("title").asText().startsWith("Consumer lag"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no panel titled Consumer lag"));
    Set<String> queried = series(lag);
    assertThat(queried)
        .isNotEmpty()
        .allSatisfy(s -> assertThat(s).startsWith("kafka_consumer_fetch_manager_records_lag"));
    assertThat(kafkaConsumerSeries()).containsAll(queried);
  }

  @Test
  @Timeout(60)
  void everySeriesTheDashboardQueriesIsExported() throws Exception {
    String metricsDoc = Files.readString(root.resolve("docs/metrics.md"));
    Set<String> queried = series(dashboard);
    assertThat(queried).hasSizeGreaterThan(10);
    Set<String> kafkaSeries = kafkaConsumerSeries();
    assertThat(queried)
        .allSatisfy(
            s -> {
              if (s.startsWith("switchboard_")) {
                assertThat(metricsDoc)
                    .as("docs/metrics.md")
                    .contains("`" + s.replaceFirst("_(bucket|count|sum)$", "") + "`");
              } else if (s.startsWith("kafka_stream_")) {
                // Streams makes these as its tasks start: RouterPrometheusIT finds them on a
                // running router
                assertThat(metricsDoc).as("docs/metrics.md").contains("`" + s + "`");
              } else {
                assertThat(kafkaSeries).as("series of a consumer's client metrics").contains(s);
              }
            });
  }

  /** Every panel, those inside rows included. */
  private static List<JsonNode> panels() {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      all.add(panel);
      panel.path("panels").forEach(all::add);
    }
    return all;
  }

  /** The series named in a node's PromQL: queries of targets and template variables. */
  private static Set<String> series(JsonNode node) {
    Set<String> names = new TreeSet<>();
    List<JsonNode> queries = new ArrayList<>(node.findValues("expr"));
    queries.addAll(node.findValues("definition"));
    for (JsonNode query : queries) {
      Matcher m = SERIES.matcher(query.asText());
      while (m.find()) {
        names.add(m.group());
      }
    }
    return names;
  }

  /**
   * The series Micrometer's {@link KafkaClientMetrics}, the binder the worker puts on its consumer,
   * makes of a consumer's metrics. The consumer is real but never polls: its metrics exist from
   * construction, so no broker is needed to learn their names.
   */
  private static Set<String> kafkaConsumerSeries() {
    Properties props = new Properties();
    props.put("bootstrap.servers", "127.0.0.1:9");
    props.put("group.id", "dashboard-series");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (KafkaConsumer<String, String> consumer =
            new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        KafkaClientMetrics metrics = new KafkaClientMetrics(consumer)) {
      metrics.bindTo(registry);
      Set<String> names = new TreeSet<>();
      registry
          .scrape()
          .lines()
          .filter(l -> !l.startsWith("#") && !l.isBlank())
          .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
      return names;
    }
  }
}
