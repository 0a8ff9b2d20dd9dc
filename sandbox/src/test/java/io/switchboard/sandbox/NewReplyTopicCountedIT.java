package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.client.ClientOptions;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.schemas.MetricsSummary;
import io.switchboard.schemas.MetricsSummary.Scope;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.kafka.ConsumerProperties;
import io.switchboard.schemas.topics.Topic;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.KafkaBrokers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replies on a reply topic made after the metrics aggregator started (a new client's, a new
 * batch's) are counted in the summaries {@code stats} shows within seconds of arriving, not at the
 * aggregator's next routine metadata refresh minutes later.
 */
class NewReplyTopicCountedIT {
  static final int N = 20;
  static final Duration PROMPTLY = Duration.ofSeconds(10);

  @Test
  @Timeout(240)
  void repliesOnANewClientsReplyTopicAreCountedWithinTenSeconds() throws Exception {
    try (Embedded embedded =
        Embedded.start(
            KafkaBrokers::start, null, Embedded.demoBehavior(), 1, Embedded.DEMO_CONFIG)) {
      embedded.startAggregator().awaitRunning(Duration.ofSeconds(90));
      ConnectionSettings connection = ConnectionSettings.of(embedded.config());
      long answered;
      try (SwitchboardClient client =
          SwitchboardClient.create(
              connection, ClientOptions.builder().clientId("fresh-" + System.nanoTime()).build())) {
        List<CompletableFuture<RouteReply>> replies = new ArrayList<>();
        for (int i = 0; i < N; i++) {
          replies.add(client.submit(DemoCommand.sampleRequest("fresh-" + i)));
        }
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
            .get(90, TimeUnit.SECONDS);
        answered = System.nanoTime();
        assertThat(replies).allSatisfy(r -> assertThat(r.get().status()).isEqualTo(ReplyStatus.OK));
      }

      Duration countedAfter =
          Duration.ofNanos(awaitRepliesCounted(embedded, N, Duration.ofSeconds(120)) - answered);
      System.out.println(
          "replies on the new reply topic counted "
              + countedAfter.toMillis()
              + " ms after they arrived");
      assertThat(countedAfter)
          .as("time from the last reply to its count in the summaries")
          .isLessThan(PROMPTLY);
    }
  }

  /**
   * Reads the summaries topic until the running total of all replies reaches {@code n}; when that
   * was, in nanoTime.
   */
  private static long awaitRepliesCounted(Embedded embedded, int n, Duration timeout) {
    Topic<String, MetricsSummary> summaries = new Topics(embedded.config().topics()).summaries();
    String all = MetricsSummary.key(Scope.ALL, MetricsSummary.ALL, null);
    long end = System.nanoTime() + timeout.toNanos();
    long counted = 0;
    try (KafkaConsumer<String, MetricsSummary> consumer =
        new KafkaConsumer<>(
            ConsumerProperties.readCommitted(embedded.config().kafka()).toProperties(),
            new StringDeserializer(),
            summaries.valueSerde().deserializer())) {
      consumer.assign(
          consumer.partitionsFor(summaries.name()).stream()
              .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition()))
              .toList());
      consumer.seekToBeginning(consumer.assignment());
      while (System.nanoTime() < end) {
        for (ConsumerRecord<String, MetricsSummary> r : consumer.poll(Duration.ofMillis(100))) {
          if (all.equals(r.key()) && r.value() != null) {
            counted = r.value().replies();
          }
        }
        if (counted >= n) {
          return System.nanoTime();
        }
      }
    }
    throw new AssertionError(counted + " of " + n + " replies counted after " + timeout);
  }
}
