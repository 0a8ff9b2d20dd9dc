package io.switchboard.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.time.MutableClock;
import io.switchboard.worker.offsets.OffsetCodec;
import io.switchboard.worker.pacing.LanePacers;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Owned lanes on the real broker: restored from the group's commits, rewound, paused and resumed.
 */
@Timeout(120)
class OwnedLanesIT {
  static final String DISPATCH = "owned.dispatch";
  static final String GROUP = "owned-workers";
  static final TopicPartition P0 = new TopicPartition(DISPATCH, 0);
  static final TopicPartition P1 = new TopicPartition(DISPATCH, 1);
  static final TopicPartition P2 = new TopicPartition(DISPATCH, 2);
  static final SwitchboardConfig CONFIG = Fixtures.config("");

  static KafkaBroker broker;

  @BeforeAll
  static void startBrokerWithCommits() throws Exception {
    broker = KafkaBrokers.start();
    try (Admin admin = Admin.create(new HashMap<String, Object>(broker.clientProperties()));
        KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(
                new HashMap<String, Object>(broker.clientProperties()),
                new StringSerializer(),
                new ByteArraySerializer())) {
      admin.createTopics(List.of(new NewTopic(DISPATCH, 3, (short) 1))).all().get();
      for (int p = 0; p < 3; p++) {
        for (int i = 0; i < 10; i++) {
          producer.send(new ProducerRecord<>(DISPATCH, p, "k", new byte[] {1}));
        }
      }
      producer.flush();
      admin
          .alterConsumerGroupOffsets(
              GROUP,
              Map.of(
                  P0,
                      new OffsetAndMetadata(
                          5, OffsetCodec.encode(5, new TreeSet<>(List.of(6L, 8L)))),
                  P1, new OffsetAndMetadata(3, OffsetCodec.PREFIX + "not base64!")))
          .all()
          .get();
    }
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  static KafkaConsumer<String, byte[]> consumer() {
    Properties p = new Properties();
    p.putAll(broker.clientProperties());
    p.put("group.id", GROUP);
    p.put("enable.auto.commit", "false");
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  @Test
  void assignedPartitionsStartFromTheirCommitAndSkipWhatItRecordsFinished() {
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      consumer.assign(List.of(P0, P1, P2));
      OwnedLanes lanes = ownedLanes(consumer);
      lanes.assigned(List.of(P0, P1, P2));
      assertThat(lanes.owned()).isEqualTo(3);

      Lane p0 = lanes.get(P0);
      assertThat(List.of(p0.admit(5), p0.admit(6), p0.admit(7), p0.admit(8), p0.admit(9)))
          .containsExactly(
              Lane.Admission.TAKE,
              Lane.Admission.SKIP,
              Lane.Admission.TAKE,
              Lane.Admission.SKIP,
              Lane.Admission.TAKE);
      Lane p1 = lanes.get(P1);
      assertThat(p1.admit(2))
          .as("corrupt metadata: below the commit is done")
          .isEqualTo(Lane.Admission.SKIP);
      assertThat(p1.admit(3)).isEqualTo(Lane.Admission.TAKE);
      assertThat(lanes.get(P2).admit(0)).as("nothing committed").isEqualTo(Lane.Admission.TAKE);
      assertThat(lanes.owns(p0)).isTrue();
    }
  }

  @Test
  void aRewindStartsEveryPartitionAgainFromItsCommitWithNewLanes() {
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      consumer.assign(List.of(P0, P2));
      OwnedLanes lanes = ownedLanes(consumer);
      lanes.assigned(List.of(P0, P2));
      consumer.seek(P0, 9);
      consumer.seek(P2, 7);
      Lane before = lanes.get(P0);
      before.admit(5);
      before.finished(5, List.of());

      lanes.rewind();
      assertThat(lanes.owns(before)).isFalse();
      assertThat(lanes.get(P0).admit(5)).as("not committed: redone").isEqualTo(Lane.Admission.TAKE);
      assertThat(consumer.position(P0)).isEqualTo(5);
      assertThat(consumer.position(P2)).as("nothing committed: from the beginning").isZero();
    }
  }

  @Test
  void theConsumerPausesAndResumesAsTheLanesSay() {
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      consumer.assign(List.of(P0, P1));
      OwnedLanes lanes = ownedLanes(consumer);
      lanes.assigned(List.of(P0, P1));
      lanes.apply(new LaneScheduler.Pauses(List.of(P0, P1), List.of(), 2));
      assertThat(consumer.paused()).containsExactlyInAnyOrder(P0, P1);
      assertThat(lanes.paused()).isEqualTo(2);
      lanes.apply(new LaneScheduler.Pauses(List.of(), List.of(P1), 1));
      assertThat(consumer.paused()).containsExactly(P0);
      assertThat(lanes.paused()).isEqualTo(1);

      lanes.holdBack(lanes.get(P1), 7);
      assertThat(consumer.paused()).containsExactlyInAnyOrder(P0, P1);
      assertThat(consumer.position(P1)).isEqualTo(7);

      lanes.removed(List.of(P0));
      assertThat(lanes.owned()).isEqualTo(1);
      assertThat(lanes.get(P0)).isNull();
    }
  }

  static OwnedLanes ownedLanes(KafkaConsumer<String, byte[]> consumer) {
    MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    return new OwnedLanes(consumer, new LanePacers(CONFIG, clock), clock, () -> true);
  }
}
