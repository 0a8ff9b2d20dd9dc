package io.switchboard.app.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
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

  /** Records per second through the three hops. */
  public static double run(Map<String, String> kafka, int records, byte[] payload, int partitions) throws Exception {
    String prefix = "bench.baseline." + System.nanoTime();
    List<String> hops = List.of(prefix + ".1", prefix + ".2", prefix + ".3", prefix + ".4");
    try (Admin admin = Admin.create(new java.util.HashMap<String, Object>(kafka))) {
      admin.createTopics(hops.stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList()).all().get();
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
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(hops.get(0), ("k" + i).getBytes(), payload));
      }
    }
    for (Thread t : forwarders) {
      t.join(Duration.ofMinutes(10).toMillis());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return arrived.get() / seconds;
  }

  private static void forward(Map<String, String> kafka, String from, String to, int records, AtomicLong arrived) {
    Properties p = new Properties();
    p.putAll(kafka);
    p.put("group.id", from + ".group");
    p.put("auto.offset.reset", "earliest");
    p.put("max.poll.records", "2000");
    long seen = 0;
    long end = System.nanoTime() + Duration.ofMinutes(10).toNanos();
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
