package io.switchboard.worker.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's transactional producer: publishes what the lanes finished with their offsets, in one
 * transaction, and the records that go out whoever owns a lane (attempt events, health records)
 * with it. A failed transaction is aborted (or, when the producer cannot abort, the producer is
 * replaced); the caller then redoes the uncommitted work. Owned by the poll thread.
 */
final class TransactionalPublisher {
  private static final Logger log = LoggerFactory.getLogger(TransactionalPublisher.class);

  private final Supplier<KafkaProducer<String, byte[]>> producers;
  private final Supplier<ConsumerGroupMetadata> group;
  private final Clock clock;
  private final long intervalMs;
  private final BooleanSupplier running;
  private final List<ProducerRecord<String, byte[]>> loose = new ArrayList<>();
  private KafkaProducer<String, byte[]> producer;
  private long lastTransactionMs;

  /**
   * @param producers makes a transactional producer (called again when one is fenced or broken)
   * @param group the dispatch consumer's group metadata, which the offsets are committed for
   * @param interval the least time between two transactions ({@code
   *     worker_settings.transaction_interval_ms})
   * @param running whether the worker still runs: a broker outage is waited out only that long
   */
  TransactionalPublisher(
      Supplier<KafkaProducer<String, byte[]>> producers,
      Supplier<ConsumerGroupMetadata> group,
      Clock clock,
      Duration interval,
      BooleanSupplier running) {
    this.producers = Objects.requireNonNull(producers, "producers");
    this.group = Objects.requireNonNull(group, "group");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.intervalMs = interval.toMillis();
    this.running = Objects.requireNonNull(running, "running");
    this.lastTransactionMs = clock.millis() - intervalMs;
  }

  /** Makes the first producer and registers its transactional id with the broker. */
  void init() {
    KafkaProducer<String, byte[]> first = producers.get();
    try {
      first.initTransactions();
    } catch (RuntimeException refused) {
      // Nothing was sent: the producer's thread must not outlive a worker that did not start.
      first.close(Duration.ZERO);
      throw refused;
    }
    producer = first;
  }

  /** Adds records published with the next transaction whoever owns the lanes they came from. */
  void add(Collection<ProducerRecord<String, byte[]>> records) {
    loose.addAll(records);
  }

  /** Whether records wait for the next transaction besides the lanes' results. */
  boolean pending() {
    return !loose.isEmpty();
  }

  /**
   * Whether the interval since the last transaction has passed. A wall clock stepping back makes it
   * due at once: an early transaction is harmless, a held one is not.
   */
  boolean due() {
    long now = clock.millis();
    return now < lastTransactionMs || now - lastTransactionMs >= intervalMs;
  }

  /**
   * Publishes, in one transaction, the pending records and the results of every lane with something
   * uncommitted, with those lanes' offsets. A lane whose finished offsets would not fit the commit
   * metadata keeps its results back with its offsets ({@link Lane#toCommit()}).
   *
   * @param lanes the lanes owned now
   * @return false when the transaction failed: it was aborted, and nothing of it is visible, so
   *     every owned lane must restart from its committed offset
   */
  boolean publish(Collection<Lane> lanes) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(loose);
    List<Lane> committing = new ArrayList<>();
    for (Lane lane : lanes) {
      Lane.Commit commit = lane.uncommitted() ? lane.toCommit() : null;
      if (commit != null) {
        offsets.put(commit.partition(), commit.position());
        records.addAll(commit.results());
        committing.add(lane);
      }
    }
    loose.clear();
    if (records.isEmpty() && offsets.isEmpty()) {
      return true;
    }
    try {
      producer.beginTransaction();
      for (ProducerRecord<String, byte[]> record : records) {
        producer.send(record);
      }
      if (!offsets.isEmpty()) {
        producer.sendOffsetsToTransaction(offsets, group.get());
      }
      producer.commitTransaction();
      committing.forEach(Lane::committed);
      lastTransactionMs = clock.millis();
      return true;
    } catch (KafkaException e) {
      log.warn(
          "a transaction failed ({}); redoing the uncommitted work of owned partitions",
          e.toString());
      abort();
      return false;
    }
  }

  /** Closes the producer, waiting up to {@code timeout} for what it has not sent yet. */
  void close(Duration timeout) {
    if (producer == null) {
      return;
    }
    try {
      producer.close(timeout);
    } catch (RuntimeException e) {
      log.warn("closing the producer failed: {}", e.toString());
    }
  }

  private void abort() {
    try {
      producer.abortTransaction();
    } catch (KafkaException abortFailed) {
      log.warn("the producer cannot abort ({}); starting a new one", abortFailed.toString());
      try {
        producer.close(Duration.ZERO);
      } catch (RuntimeException ignored) {
        log.debug("closing the failed producer: {}", ignored.toString());
      }
      producer = freshProducer();
    }
  }

  /** A new transactional producer; a broker outage is waited out as long as the worker runs. */
  private KafkaProducer<String, byte[]> freshProducer() {
    while (true) {
      KafkaProducer<String, byte[]> fresh = producers.get();
      try {
        fresh.initTransactions();
        return fresh;
      } catch (TimeoutException e) {
        fresh.close(Duration.ZERO);
        if (!running.getAsBoolean()) {
          throw e;
        }
        log.warn(
            "a new producer cannot register its transactional id yet ({}); trying again",
            e.getMessage());
      }
    }
  }
}
