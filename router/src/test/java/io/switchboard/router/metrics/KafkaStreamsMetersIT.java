package io.switchboard.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.router.Router;
import io.switchboard.router.aggregator.MetricsAggregator;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A router and its metrics aggregator bound to one registry with {@link KafkaStreamsMeters#STORE_TAGS},
 * as the {@code router} command binds them: every meter name has one set of tag keys (what Prometheus requires; it refused the
 * aggregator's window-store meters and logged a warning for each), the window store's meters are
 * there, and so is the end-to-end latency of the dispatch sink that the dashboard's routing-delay
 * panel shows.
 */
class KafkaStreamsMetersIT {
  static final String WINDOWED = "kafka.stream.state.num.immutable.mem.table";
  static final String E2E = "kafka.stream.processor.node.record.e2e.latency.";

  @Test
  @Timeout(240)
  void routerAndAggregatorMetersHaveOneSetOfTagKeysPerName() throws Exception {
    try (KafkaBroker broker = KafkaBrokers.start()) {
      SwitchboardConfig config = new ConfigLoader(k -> null).parse("""
          model_list:
            - {model_name: chat, deployment_id: chat-a}
          router_settings: {application_id: meters-router}
          """, "test").withKafka(broker.clientProperties());
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      registry.config().meterFilter(KafkaStreamsMeters.STORE_TAGS);
      try (Router router = new Router(config, Clock.systemUTC(), registry);
          MetricsAggregator aggregator = new MetricsAggregator(config, Clock.systemUTC())) {
        aggregator.bindTo(registry);
        router.start();
        aggregator.start();
        router.awaitRunning(Duration.ofSeconds(90));
        aggregator.awaitRunning(Duration.ofSeconds(90));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
          assertThat(registry.find(WINDOWED).tag(KafkaStreamsMeters.STORE_TAG, "metrics-windows").meters())
              .as("the aggregator's window store").isNotEmpty();
          assertThat(registry.find(WINDOWED).tag(KafkaStreamsMeters.STORE_TAG, "hold-store").meters())
              .as("the router's key-value store").isNotEmpty();
          for (String stat : new String[] {"max", "avg"}) {
            assertThat(registry.find(E2E + stat).tag("processor.node.id", "dispatch-sink").meters()).as(stat).isNotEmpty();
          }
        });
        Map<String, Set<String>> keysByName = new TreeMap<>();
        for (Meter m : registry.getMeters()) {
          keysByName.computeIfAbsent(m.getId().getName(), n -> new TreeSet<>())
              .add(m.getId().getTags().stream().map(Tag::getKey).sorted().collect(Collectors.joining(",")));
        }
        assertThat(keysByName).allSatisfy((name, keySets) -> assertThat(keySets).as(name).hasSize(1));
      }
    }
  }
}
