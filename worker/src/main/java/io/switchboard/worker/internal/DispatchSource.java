package io.switchboard.worker.internal;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads dispatch records again by offset, for the jobs that hold them: a consumer without a group,
 * assigned one partition at a time. Owned by the offload thread.
 */
final class DispatchSource implements AutoCloseable {
  /** Told each wanted offset once, in order, with its record's value, or null when it is gone. */
  @FunctionalInterface
  interface Each {
    void accept(long offset, byte[] value);
  }

  private static final Duration GIVE_UP = Duration.ofSeconds(60);

  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;

  DispatchSource(KafkaConsumer<String, byte[]> consumer, String topic) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.topic = Objects.requireNonNull(topic, "topic");
  }

  /**
   * Reads the records at {@code offsets} (ascending) of {@code partition}. An offset with no record
   * (deleted by retention, or a transaction marker) is reported with a null value.
   *
   * @throws IllegalStateException when the records do not arrive within a minute
   */
  void read(int partition, List<Long> offsets, Each each) {
    if (offsets.isEmpty()) {
      return;
    }
    TopicPartition tp = new TopicPartition(topic, partition);
    consumer.assign(List.of(tp));
    consumer.seek(tp, offsets.get(0));
    long last = offsets.get(offsets.size() - 1);
    long giveUpAt = System.nanoTime() + GIVE_UP.toNanos();
    int next = 0;
    while (next < offsets.size()) {
      ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
      for (ConsumerRecord<String, byte[]> r : records.records(tp)) {
        while (next < offsets.size() && offsets.get(next) < r.offset()) {
          each.accept(offsets.get(next++), null);
        }
        if (next < offsets.size() && offsets.get(next) == r.offset()) {
          each.accept(offsets.get(next++), r.value());
        }
        if (next >= offsets.size()) {
          break;
        }
      }
      if (next < offsets.size() && records.isEmpty() && consumer.position(tp) > last) {
        while (next < offsets.size()) {
          each.accept(offsets.get(next++), null);
        }
      }
      if (next < offsets.size() && System.nanoTime() > giveUpAt) {
        throw new IllegalStateException(
            "dispatch records of "
                + tp
                + " from offset "
                + offsets.get(next)
                + " did not arrive within "
                + GIVE_UP.toSeconds()
                + " s");
      }
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
