package io.switchboard.worker;

import io.switchboard.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads topics ({@code read_committed}, from the beginning) on a background thread and keeps every
 * record, so tests can wait for a key and count what arrived per key.
 */
final class TopicTap implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<String, List<ConsumerRecord<String, byte[]>>> byTopic =
      new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  TopicTap(String bootstrap, Collection<String> topics) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", "tap-" + System.nanoTime());
    p.put("auto.offset.reset", "earliest");
    p.put("isolation.level", "read_committed");
    p.put("enable.auto.commit", "false");
    p.put("metadata.max.age.ms", "500");
    consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    topics.forEach(t -> byTopic.put(t, new CopyOnWriteArrayList<>()));
    consumer.subscribe(List.copyOf(topics));
    thread =
        new Thread(
            () -> {
              try {
                while (running) {
                  for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    byTopic.computeIfAbsent(r.topic(), t -> new CopyOnWriteArrayList<>()).add(r);
                  }
                }
              } catch (WakeupException e) {
                // closing
              } finally {
                consumer.close(Duration.ofSeconds(2));
              }
            },
            "topic-tap");
    thread.setDaemon(true);
    thread.start();
  }

  /** Every record of a topic with this key, in arrival order. */
  List<ConsumerRecord<String, byte[]>> records(String topic, String key) {
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : byTopic.getOrDefault(topic, List.of())) {
      if (key.equals(r.key())) {
        out.add(r);
      }
    }
    return out;
  }

  /** Values of a topic with this key, read as {@code type}. */
  <T> List<T> values(String topic, String key, Class<T> type) {
    return records(topic, key).stream().map(r -> Json.read(r.value(), type)).toList();
  }

  List<ConsumerRecord<String, byte[]>> all(String topic) {
    return List.copyOf(byTopic.getOrDefault(topic, List.of()));
  }

  /** Every value read from every topic, as text. */
  List<String> allText() {
    List<String> out = new ArrayList<>();
    byTopic
        .values()
        .forEach(
            list ->
                list.forEach(
                    r -> {
                      if (r.value() != null) {
                        out.add(new String(r.value(), StandardCharsets.UTF_8));
                      }
                    }));
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join(5000);
  }
}
