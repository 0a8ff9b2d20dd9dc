package io.switchboard.worker;

import static io.switchboard.worker.WorkerHarness.dispatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.worker.internal.Engine;
import io.switchboard.worker.offsets.OffsetCodec;
import io.switchboard.worker.provider.ProviderClients;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine on the real broker when calls finish far out of order: held calls (the head of the
 * lane among them) keep the commit point still while the calls after them finish. The lane must
 * stop taking dispatches before its finished offsets outgrow the broker's commit metadata limit,
 * every reply must go out in the transaction that commits its offset, and once the held calls
 * finish every dispatch has exactly one reply.
 */
@Timeout(300)
class EngineMetadataLimitIT extends BrokerAndMock {
  /**
   * More dispatches than one lane can take while its head is held (about 24,500 offsets of bitset).
   */
  static final int N = 27_000;

  /**
   * One dispatch in ten is held: the finished offsets then need a bitset, not a few run lengths.
   */
  static final int HELD_EVERY = 10;

  static boolean held(String id) {
    return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1)) % HELD_EVERY == 0;
  }

  @Test
  void aLaneWithHeldCallsPausesBeforeTheMetadataLimitAndAnswersEveryDispatchOnce()
      throws Exception {
    mock.behave("wide", Behavior.ok());
    String yaml =
        """
        model_list:
          - {model_name: wide, api_base: "%s/d/wide/v1", max_retries: 0, timeout_ms: 60000}
        worker_settings: {group_id: meta-workers, shutdown_grace_ms: 5000, max_in_flight_per_lane: 100000}
        """
            .formatted(mock.baseUrl());
    // Large polls: one poll could carry more records than a fixed margin below the limit allows.
    Map<String, String> kafka =
        Map.of(
            "max.poll.records",
            "10000",
            "max.partition.fetch.bytes",
            "33554432",
            "fetch.max.bytes",
            "67108864");
    try (WorkerHarness h = new WorkerHarness(broker, "meta", yaml, kafka);
        TopicTap tap = new TopicTap(broker.bootstrapServers(), List.of(h.topics.replies().name()));
        Admin admin =
            Admin.create(
                new HashMap<String, Object>(
                    Map.of("bootstrap.servers", broker.bootstrapServers())));
        ProviderClients http =
            ProviderClients.start(h.config.workerSettings(), k -> null, Clock.systemUTC())) {
      List<Dispatch> dispatches = new ArrayList<>();
      for (int i = 0; i < N; i++) {
        dispatches.add(dispatch("meta-" + i, "wide"));
      }
      h.sendAll(dispatches);

      GatedProvider provider = new GatedProvider(http, EngineMetadataLimitIT::held);
      RunningEngine running =
          new RunningEngine(
              h.config,
              provider,
              p -> new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer()));
      Engine engine = running.engine;
      String replies = h.topics.replies().name();
      TopicPartition lane = new TopicPartition(h.topics.dispatch().name(), 0);
      try {
        // Settled: the lane is paused, only held calls are in flight, every call made is answered.
        await()
            .atMost(Duration.ofSeconds(180))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () ->
                    engine.pausedLanes() == 1
                        && provider.held() > 0
                        && engine.callsInFlight() == provider.held()
                        && tap.all(replies).size() == mock.calls("wide").size());
        OffsetAndMetadata committed = committed(admin, lane);
        int taken = mock.calls("wide").size() + provider.held();
        assertThat(committed).isNotNull();
        assertThat(committed.offset()).as("commit point: the held head").isZero();
        assertThat(committed.metadata().length())
            .as("commit metadata length")
            .isLessThanOrEqualTo(OffsetCodec.DEFAULT_MAX_METADATA_BYTES)
            .isGreaterThan(OffsetCodec.DEFAULT_MAX_METADATA_BYTES / 2);
        assertThat(taken).as("dispatches taken while the head is held").isLessThan(N);
        assertThat(tap.all(replies))
            .as("replies published: exactly those committed")
            .hasSize(finished(committed));

        provider.release();
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> tap.all(replies).stream().map(ConsumerRecord::key).distinct().count() >= N);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  OffsetAndMetadata c = committed(admin, lane);
                  return c != null && c.offset() == N;
                });
        Map<String, Integer> perId = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : tap.all(replies)) {
          perId.merge(r.key(), 1, Integer::sum);
          assertThat(Json.read(r.value(), RouteReply.class).status()).isEqualTo(ReplyStatus.OK);
        }
        assertThat(perId).hasSize(N);
        assertThat(perId.values()).as("replies per dispatch").containsOnly(1);
        assertThat(mock.calls("wide")).as("one provider call per dispatch").hasSize(N);
      } finally {
        running.close();
      }
    }
  }

  static OffsetAndMetadata committed(Admin admin, TopicPartition tp) throws Exception {
    return admin
        .listConsumerGroupOffsets("meta-workers")
        .partitionsToOffsetAndMetadata()
        .get()
        .get(tp);
  }

  static int finished(OffsetAndMetadata committed) {
    return OffsetCodec.decode(committed.offset(), committed.metadata()).size();
  }
}
