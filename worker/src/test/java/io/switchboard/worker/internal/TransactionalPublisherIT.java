package io.switchboard.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.time.MutableClock;
import io.switchboard.worker.offsets.OffsetCodec;
import io.switchboard.worker.offsets.PartitionOffsets;
import io.switchboard.worker.pacing.LanePacer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
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
 * The transactional publisher on the real broker: results go out only with the offsets that finish
 * them.
 */
@Timeout(120)
class TransactionalPublisherIT {
  static final String DISPATCH = "pub.dispatch";
  static final String REPLIES = "pub.replies";
  static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

  static KafkaBroker broker;
  static Admin admin;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaBrokers.start();
    admin = Admin.create(new HashMap<String, Object>(broker.clientProperties()));
    admin
        .createTopics(
            List.of(new NewTopic(DISPATCH, 1, (short) 1), new NewTopic(REPLIES, 1, (short) 1)))
        .all()
        .get();
  }

  @AfterAll
  static void stopBroker() {
    if (admin != null) {
      admin.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  final MutableClock clock = new MutableClock(START);

  static Properties producerProperties() {
    Properties p = new Properties();
    p.putAll(broker.clientProperties());
    p.put("transactional.id", "pub-" + UUID.randomUUID());
    p.put("transaction.timeout.ms", "10000");
    return p;
  }

  static KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(
        producerProperties(), new StringSerializer(), new ByteArraySerializer());
  }

  TransactionalPublisher publisher(
      String group, Supplier<KafkaProducer<String, byte[]>> producers) {
    TransactionalPublisher publisher =
        new TransactionalPublisher(
            producers,
            () -> new ConsumerGroupMetadata(group),
            clock,
            Duration.ofSeconds(1),
            () -> true);
    publisher.init();
    return publisher;
  }

  static ProducerRecord<String, byte[]> reply(String key) {
    return new ProducerRecord<>(REPLIES, key, new byte[] {1});
  }

  Lane lane() {
    return new Lane(
        new TopicPartition(DISPATCH, 0),
        new LanePacer(null, null, clock),
        PartitionOffsets.startingAt(0));
  }

  /**
   * The group's committed offset of the dispatch partition, as a worker would read it: an offset
   * committed in a transaction whose markers have not landed yet is waited for, not missed.
   */
  static OffsetAndMetadata committed(String group) {
    Properties p = new Properties();
    p.putAll(broker.clientProperties());
    p.put("group.id", group);
    p.put("isolation.level", "read_committed");
    TopicPartition tp = new TopicPartition(DISPATCH, 0);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      return consumer.committed(Set.of(tp), Duration.ofSeconds(30)).get(tp);
    }
  }

  /**
   * The keys on the replies topic as a read_committed consumer sees them once {@code last} has
   * arrived.
   */
  static List<String> committedKeys(String last) {
    Properties p = new Properties();
    p.putAll(broker.clientProperties());
    p.put("isolation.level", "read_committed");
    List<String> keys = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(REPLIES, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      while (!keys.contains(last)) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          keys.add(r.key());
        }
      }
    }
    return keys;
  }

  @Test
  void aLanesResultsGoOutInTheTransactionThatCommitsItsOffsets() {
    TransactionalPublisher publisher =
        publisher("pub-together", TransactionalPublisherIT::producer);
    Lane lane = lane();
    for (long o = 0; o < 3; o++) {
      lane.admit(o);
    }
    lane.finished(1, List.of(reply("together-1")));
    lane.finished(2, List.of(reply("together-2")));
    publisher.add(List.of(reply("together-attempt")));
    assertThat(publisher.pending()).isTrue();

    assertThat(publisher.publish(List.of(lane))).isTrue();
    assertThat(publisher.pending()).isFalse();
    assertThat(lane.uncommitted()).isFalse();
    OffsetAndMetadata committed = committed("pub-together");
    assertThat(committed.offset()).as("offset 0 is unfinished").isZero();
    assertThat(OffsetCodec.decode(0, committed.metadata())).containsExactly(1L, 2L);
    assertThat(committedKeys("together-2")).contains("together-1", "together-attempt");
    assertThat(publisher.due()).as("within the interval").isFalse();
    publisher.close(Duration.ofSeconds(5));
  }

  @Test
  void theIntervalBetweenTransactionsFollowsTheClock() {
    TransactionalPublisher publisher =
        publisher("pub-interval", TransactionalPublisherIT::producer);
    assertThat(publisher.due()).as("the first transaction").isTrue();
    publisher.add(List.of(reply("interval")));
    assertThat(publisher.publish(List.of())).isTrue();
    assertThat(publisher.due()).isFalse();
    clock.advance(Duration.ofMillis(999));
    assertThat(publisher.due()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(publisher.due()).isTrue();
    publisher.add(List.of(reply("interval-2")));
    assertThat(publisher.publish(List.of())).isTrue();
    clock.set(START);
    assertThat(publisher.due()).as("a clock stepping back holds nothing").isTrue();
    publisher.close(Duration.ofSeconds(5));
  }

  @Test
  void aLaneWhoseOffsetsDoNotFitKeepsItsResultsBack() {
    TransactionalPublisher publisher = publisher("pub-held", TransactionalPublisherIT::producer);
    PartitionOffsets offsets = PartitionOffsets.startingAt(0);
    for (long o = 0; o < 60_000; o++) {
      offsets.dispatch(o);
    }
    Lane lane =
        new Lane(new TopicPartition(DISPATCH, 0), new LanePacer(null, null, clock), offsets);
    for (long o = 1; o < 60_000; o += 2) {
      lane.finished(o, List.of(reply("held-" + o)));
    }
    publisher.add(List.of(reply("held-attempt")));
    assertThat(publisher.publish(List.of(lane))).isTrue();
    assertThat(lane.uncommitted()).isTrue();
    assertThat(committed("pub-held")).isNull();
    assertThat(committedKeys("held-attempt"))
        .noneMatch(k -> k.startsWith("held-") && !k.equals("held-attempt"));
    publisher.close(Duration.ofSeconds(5));
  }

  @Test
  void aFailedTransactionIsAbortedAndTheNextOneGoesThrough() {
    AtomicBoolean armed = new AtomicBoolean(true);
    TransactionalPublisher publisher =
        publisher(
            "pub-failed",
            () ->
                new KafkaProducer<>(
                    producerProperties(), new StringSerializer(), new ByteArraySerializer()) {
                  @Override
                  public void commitTransaction() {
                    if (armed.compareAndSet(true, false)) {
                      throw new KafkaException("injected: this transaction fails");
                    }
                    super.commitTransaction();
                  }
                });
    Lane lost = lane();
    lost.admit(0);
    lost.finished(0, List.of(reply("failed-lost")));
    assertThat(publisher.publish(List.of(lost))).as("the caller must rewind").isFalse();
    assertThat(committed("pub-failed")).isNull();

    Lane redone = lane();
    redone.admit(0);
    redone.finished(0, List.of(reply("failed-redone")));
    assertThat(publisher.publish(List.of(redone))).isTrue();
    assertThat(committed("pub-failed").offset()).isEqualTo(1);
    assertThat(committedKeys("failed-redone")).doesNotContain("failed-lost");
    publisher.close(Duration.ofSeconds(5));
  }
}
