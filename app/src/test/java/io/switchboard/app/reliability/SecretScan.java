package io.switchboard.app.reliability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads every record of every non-internal topic and reports where a secret appears. */
final class SecretScan {
  private SecretScan() {}

  /**
   * What a scan saw: records per topic, and the places (topic/partition@offset part) holding a
   * secret.
   */
  record Result(Map<String, Integer> recordsPerTopic, List<String> findings) {}

  /**
   * Scans key, value and headers of all records, aborted transactions included ({@code
   * read_uncommitted}), of every topic, the broker's internal ones ({@code __consumer_offsets} with
   * the workers' commit metadata, {@code __transaction_state}) included.
   */
  static Result topics(Map<String, String> kafka, List<String> secrets) throws Exception {
    Map<String, Object> admin = new LinkedHashMap<>(kafka);
    List<TopicPartition> partitions = new ArrayList<>();
    try (Admin client = Admin.create(admin)) {
      Set<String> names =
          client
              .listTopics(new ListTopicsOptions().listInternal(true))
              .names()
              .get(30, TimeUnit.SECONDS);
      for (TopicDescription d :
          client.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
        d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition())));
      }
    }
    Properties p = new Properties();
    p.putAll(kafka);
    p.put("isolation.level", "read_uncommitted");
    p.put("enable.auto.commit", "false");
    Map<String, Integer> counts = new HashMap<>();
    List<String> findings = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          counts.merge(r.topic(), 1, Integer::sum);
          String where = r.topic() + "/" + r.partition() + "@" + r.offset();
          check(where + " key", r.key(), secrets, findings);
          check(where + " value", r.value(), secrets, findings);
          for (Header h : r.headers()) {
            check(where + " header " + h.key(), h.value(), secrets, findings);
          }
        }
      }
      List<TopicPartition> unread =
          partitions.stream().filter(tp -> consumer.position(tp) < end.get(tp)).toList();
      if (!unread.isEmpty()) {
        throw new IllegalStateException("could not read to the end of " + unread + " within 60 s");
      }
    }
    return new Result(counts, findings);
  }

  /** Lines (file:line) of {@code lines} that hold a secret. */
  static List<String> lines(String source, List<String> lines, List<String> secrets) {
    List<String> findings = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      for (String secret : secrets) {
        if (lines.get(i).contains(secret)) {
          findings.add(source + ":" + (i + 1));
        }
      }
    }
    return findings;
  }

  private static void check(
      String where, byte[] data, List<String> secrets, List<String> findings) {
    if (data == null) {
      return;
    }
    for (String secret : secrets) {
      if (indexOf(data, secret.getBytes(StandardCharsets.UTF_8)) >= 0) {
        findings.add(where);
      }
    }
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= data.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return pattern.length == 0 ? 0 : -1;
  }
}
