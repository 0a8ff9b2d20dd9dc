package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchboard.router.Router;
import io.switchboard.router.aggregator.MetricsAggregator;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The router and its aggregator bound to the registry the {@code router} command serves: Prometheus
 * takes every meter, the window store's included, with no registration failure (it used to refuse
 * {@code kafka_stream_state_num_immutable_mem_table} and others, logging a warning at start), and
 * the dispatch sink's end-to-end latency that the dashboard's routing-delay panel shows is there.
 */
class RouterPrometheusIT {
  static final String E2E = "kafka_stream_processor_node_record_e2e_latency_";
  static final String DISPATCH_SINK = "processor_node_id=\"dispatch-sink\"";

  @Test
  @Timeout(240)
  void prometheusTakesEveryMeterOfTheRouterAndItsAggregator() throws Exception {
    try (KafkaBroker broker = KafkaBrokers.start()) {
      SwitchboardConfig config =
          new ConfigLoader(k -> null)
              .parse(
                  """
          model_list:
            - {model_name: chat, deployment_id: chat-a}
          router_settings: {application_id: prometheus-router}
          """,
                  "test")
              .withKafka(broker.clientProperties());
      PrometheusMeterRegistry registry = ObservabilityServer.newRegistry();
      List<String> refused = new CopyOnWriteArrayList<>();
      registry
          .config()
          .onMeterRegistrationFailed((id, reason) -> refused.add(id.getName() + ": " + reason));
      try (Router router = new Router(config, Clock.systemUTC(), registry);
          MetricsAggregator aggregator = new MetricsAggregator(config, Clock.systemUTC())) {
        aggregator.bindTo(registry);
        router.start();
        aggregator.start();
        await()
            .atMost(Duration.ofSeconds(90))
            .untilAsserted(
                () ->
                    assertThat(registry.scrape())
                        .contains("kafka_stream_state_num_immutable_mem_table{kafka_version=")
                        .contains("rocksdb_state_id=\"metrics-windows\"")
                        .contains("rocksdb_state_id=\"hold-store\"")
                        // what the dashboard's routing-delay panel shows
                        .containsPattern(E2E + "max\\{[^}]*" + DISPATCH_SINK)
                        .containsPattern(E2E + "avg\\{[^}]*" + DISPATCH_SINK));
        assertThat(refused).isEmpty();
      }
    }
  }
}
