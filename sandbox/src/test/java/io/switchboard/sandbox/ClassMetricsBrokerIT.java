package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.router.aggregator.MetricsAggregator;
import io.switchboard.schemas.MetricsSummary;
import io.switchboard.schemas.MetricsSummary.ClassSummary;
import io.switchboard.schemas.MetricsSummary.Scope;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.KafkaBrokers;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mixed classes on a real broker: the demo stack plus the metrics aggregator; after interactive,
 * default and batch requests, the summaries on the metrics topic carry each class's requests,
 * calls, waits and latency, adding up to the provider's call log.
 */
class ClassMetricsBrokerIT {
  static final Map<Priority, Long> SENT =
      Map.of(Priority.INTERACTIVE, 20L, Priority.DEFAULT, 15L, Priority.BATCH, 60L);

  @Test
  @Timeout(180)
  void summariesBreakRequestsWaitsAndLatencyDownByClass() throws Exception {
    try (Embedded embedded =
            Embedded.start(
                KafkaBrokers::start, null, Embedded.demoBehavior(), 1, Embedded.DEMO_CONFIG);
        MetricsAggregator aggregator =
            new MetricsAggregator(embedded.config(), Clock.systemUTC())) {
      aggregator.start();
      Topics topics = new Topics(embedded.config().topics());
      Properties props = new Properties();
      props.putAll(embedded.config().kafka());
      int total = 0;
      try (KafkaProducer<String, RouteRequest> producer =
          new KafkaProducer<>(
              props, new StringSerializer(), topics.requests().valueSerde().serializer())) {
        for (Priority p : List.of(Priority.BATCH, Priority.DEFAULT, Priority.INTERACTIVE)) {
          for (int i = 0; i < SENT.get(p); i++) {
            String id = p.wire() + "-" + i;
            producer.send(
                new ProducerRecord<>(
                    topics.requests().name(), id, DemoCommand.sampleRequest(id).withPriority(p)));
            total++;
          }
        }
      }
      int n = total;
      Map<String, MetricsSummary> latest =
          MetricsBrokerIT.readSummaries(
              props,
              topics.summaries(),
              all ->
                  all.routed() == n
                      && all.replies() == n
                      && all.attempts() == embedded.mock().calls().size());

      MetricsSummary all = latest.get(MetricsSummary.key(Scope.ALL, MetricsSummary.ALL, null));
      assertThat(all).as("summary of all traffic").isNotNull();
      assertThat(all.attempts()).isEqualTo(embedded.mock().calls().size());
      assertThat(all.classes()).containsOnlyKeys("interactive", "default", "batch");
      long attempts = 0;
      for (Priority p : Priority.values()) {
        ClassSummary c = all.of(p);
        assertThat(c.routed()).as(p.wire()).isEqualTo(SENT.get(p));
        assertThat(c.waits().count())
            .as(p.wire() + " first calls")
            .isGreaterThanOrEqualTo(SENT.get(p));
        assertThat(c.latency().count()).as(p.wire()).isEqualTo(c.attempts());
        attempts += c.attempts();
      }
      assertThat(attempts)
          .as("the classes' calls add up to the provider's")
          .isEqualTo(all.attempts());
      MetricsSummary chat = latest.get(MetricsSummary.key(Scope.MODEL, "chat", null));
      assertThat(chat.of(Priority.BATCH).routed()).isEqualTo(SENT.get(Priority.BATCH));
      long windowed =
          latest.values().stream()
              .filter(s -> !s.total() && s.scope() == Scope.ALL)
              .mapToLong(s -> s.of(Priority.INTERACTIVE).routed())
              .sum();
      assertThat(windowed)
          .as("windows add up to the total")
          .isEqualTo(SENT.get(Priority.INTERACTIVE));
    }
  }
}
