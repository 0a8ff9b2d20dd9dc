package io.switchboard.app.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import io.switchboard.schemas.topics.TopicProvisioner;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The pipe without the router: the same number of records of the same size through three
 * produce-then-consume hops on the same broker (requests, dispatch, replies), with no logic in
 * between. Switchboard's throughput is reported as a ratio of this.
 */
public final class RawKafkaBaseline {
  private RawKafkaBaseline() {}

  /** How long any stage of the baseline may take before it is reported as incomplete. */
  public static final Duration LIMIT = Duration.ofMinutes(3);

  /**
   * What the baseline measured.
   *
   * @param recordsPerSecond records that came out of the third hop, per second
   * @param complete whether every record came out within {@link #LIMIT}
   */
  public record Result(double recordsPerSecond, boolean complete) {}

  /** Records per second through the three hops. */
  public static Result run(Map<String, String> kafka, int records, byte[] payload, int partitions) throws Exception {
    String prefix = "bench.baseline." + System.nanoTime();
    List<String> hops = List.of(prefix + ".1", prefix + ".2", prefix + ".3", prefix + ".4");
    try (Admin admin = Admin.create(new java.util.HashMap<String, Object>(kafka))) {
      admin.createTopics(hops.stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList()).all().get();
      TopicProvisioner.awaitLeaders(admin, hops);
    }
    long start = System.nanoTime();
    List<Thread> forwarders = new ArrayList<>();
    AtomicLong arrived = new AtomicLong();
    for (int hop = 0; hop < 3; hop++) {
      String from = hops.get(hop);
      String to = hops.get(hop + 1);
      boolean last = hop == 2;
      Thread t = new Thread(() -> forward(kafka, from, last ? null : to, records, arrived), "baseline-hop-" + hop);
      t.start();
      forwarders.add(t);
    }
    KafkaProducer<byte[], byte[]> producer = producer(kafka);
    try {
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(hops.get(0), ("k" + i).getBytes(), payload));
      }
    } finally {
      producer.close(LIMIT);
    }
    for (Thread t : forwarders) {
      t.join(LIMIT.toMillis());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result(arrived.get() / seconds, arrived.get() >= records);
  }

  private static void forward(Map<String, String> kafka, String from, String to, int records, AtomicLong arrived) {
    Properties p = new Properties();
    p.putAll(kafka);
    p.put("group.id", from + ".group");
    p.put("auto.offset.reset", "earliest");
    p.put("max.poll.records", "2000");
    long seen = 0;
    long end = System.nanoTime() + LIMIT.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer = to == null ? null : producer(kafka)) {
      consumer.subscribe(List.of(from));
      while (seen < records && System.nanoTime() < end) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
          if (producer != null) {
            producer.send(new ProducerRecord<>(to, r.key(), r.value()));
          }
          seen++;
        }
        consumer.commitAsync();
      }
    }
    if (to == null) {
      arrived.set(seen);
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(Map<String, String> kafka) {
    Properties p = new Properties();
    p.putAll(kafka);
    p.put("linger.ms", "5");
    p.put("acks", "all");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
