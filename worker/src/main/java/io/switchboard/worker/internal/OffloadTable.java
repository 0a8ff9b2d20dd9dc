package io.switchboard.worker.internal;

import io.switchboard.schemas.OffloadJob;
import io.switchboard.schemas.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live offload jobs of the partitions of the jobs topic this worker owns, read from the
 * (compacted) topic from its start on every assignment, and the transactions that move them on. A
 * partition's jobs are worked on only once it is read to the end it had when it was assigned, so no
 * step is taken on a state that a later record already moved on.
 *
 * <p>Every transaction also commits the offload group's position on the jobs topic: a worker that
 * lost the partition in a rebalance (a zombie) is fenced by its stale group generation, and its
 * step is aborted. The records this worker wrote come back to it from the topic; an older state
 * than the one it holds is ignored, and so is any state of a job it finished until its tombstone
 * comes back. Owned by the offload thread.
 */
final class OffloadTable {
  private static final Logger log = LoggerFactory.getLogger(OffloadTable.class);

  /** A transaction that failed and was aborted: the table is read again from the topic. */
  static final class CommitFailed extends Exception {
    CommitFailed(String message) {
      super(message, null, false, false);
    }
  }

  /** One job and when it is due next. */
  static final class Tracked {
    private OffloadJob record;
    private final int partition;
    private long dueAtMs;

    Tracked(OffloadJob record, int partition) {
      this.record = record;
      this.partition = partition;
    }

    OffloadJob record() {
      return record;
    }

    /** Nothing is done on the job before {@code atMs} (epoch millis). */
    void waitUntil(long atMs) {
      dueAtMs = atMs;
    }
  }

  private final KafkaConsumer<String, byte[]> consumer;
  private final Supplier<KafkaProducer<String, byte[]>> producers;
  private final String topic;
  private final Outputs outputs;
  private final Map<String, Tracked> jobs = new LinkedHashMap<>();
  private final Set<String> finished = new HashSet<>();
  private final Map<Integer, Long> readTo = new HashMap<>();
  private volatile int size;
  private KafkaProducer<String, byte[]> producer;

  OffloadTable(
      KafkaConsumer<String, byte[]> consumer,
      Supplier<KafkaProducer<String, byte[]>> producers,
      String topic,
      Outputs outputs) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.producers = Objects.requireNonNull(producers, "producers");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.outputs = Objects.requireNonNull(outputs, "outputs");
  }

  void init() {
    producer = producers.get();
    producer.initTransactions();
  }

  int size() {
    return size;
  }

  void subscribe() {
    consumer.subscribe(
        List.of(topic),
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            forget(partitions);
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            readFromStart(partitions);
          }
        });
  }

  /** Reads what arrived on the owned partitions. */
  void poll() {
    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
      apply(r);
    }
    readTo.entrySet().removeIf(e -> consumer.position(tp(e.getKey())) >= e.getValue());
    size = jobs.size();
  }

  /** The jobs of partitions read to their end that are due at {@code nowMs}. */
  List<Tracked> due(long nowMs) {
    List<Tracked> due = new ArrayList<>();
    for (Tracked t : jobs.values()) {
      if (!readTo.containsKey(t.partition) && t.dueAtMs <= nowMs) {
        due.add(t);
      }
    }
    return due;
  }

  /**
   * Publishes {@code records} and the job's next state ({@code next}, or its tombstone when null)
   * in one transaction with the offload group's position.
   *
   * @throws CommitFailed when the transaction failed; it was aborted and the owned partitions are
   *     read again from their start
   */
  void commit(Tracked job, OffloadJob next, List<ProducerRecord<String, byte[]>> records)
      throws CommitFailed {
    String jobId = job.record.jobId();
    try {
      producer.beginTransaction();
      for (ProducerRecord<String, byte[]> r : records) {
        producer.send(r);
      }
      producer.send(outputs.offloadJob(jobId, next));
      Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
      for (TopicPartition tp : consumer.assignment()) {
        positions.put(tp, new OffsetAndMetadata(consumer.position(tp)));
      }
      producer.sendOffsetsToTransaction(positions, consumer.groupMetadata());
      producer.commitTransaction();
    } catch (KafkaException e) {
      abort();
      readFromStart(consumer.assignment());
      throw new CommitFailed("the transaction of job " + jobId + " failed (" + e + ")");
    }
    if (next == null) {
      jobs.remove(jobId);
      finished.add(jobId);
    } else {
      job.record = next;
    }
    size = jobs.size();
  }

  void close(boolean abandoned) {
    try {
      consumer.close(
          abandoned
              ? CloseOptions.groupMembershipOperation(
                      CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP)
                  .withTimeout(Duration.ZERO)
              : CloseOptions.timeout(Duration.ofSeconds(5)));
    } catch (RuntimeException e) {
      log.warn("closing the offload jobs consumer failed: {}", e.toString());
    }
    if (producer != null) {
      try {
        producer.close(abandoned ? Duration.ZERO : Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.warn("closing the offload producer failed: {}", e.toString());
      }
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    String jobId = r.key();
    if (jobId == null) {
      return;
    }
    if (r.value() == null) {
      jobs.remove(jobId);
      finished.remove(jobId);
      return;
    }
    if (finished.contains(jobId)) {
      return;
    }
    OffloadJob job;
    try {
      job = Json.read(r.value(), OffloadJob.class);
    } catch (RuntimeException e) {
      log.error(
          "offload job record at {}/{}@{} is not readable: {}; skipped",
          r.topic(),
          r.partition(),
          r.offset(),
          e.getMessage());
      return;
    }
    Tracked known = jobs.get(jobId);
    if (known == null) {
      jobs.put(jobId, new Tracked(job, r.partition()));
    } else if (progress(job) >= progress(known.record)) {
      known.record = job;
    }
  }

  /** How far a job is: pending, submitted, then every reply chunk. */
  private static long progress(OffloadJob job) {
    if (job.state() == OffloadJob.State.PENDING) {
      return -2;
    }
    return job.repliedThrough() == null ? -1 : job.repliedThrough();
  }

  private void readFromStart(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    forget(partitions);
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    consumer.seekToBeginning(partitions);
    ends.forEach((tp, end) -> readTo.put(tp.partition(), end));
  }

  private void forget(Collection<TopicPartition> partitions) {
    Set<Integer> gone = new HashSet<>();
    partitions.forEach(tp -> gone.add(tp.partition()));
    jobs.values().removeIf(t -> gone.contains(t.partition));
    gone.forEach(readTo::remove);
    finished.clear();
    size = jobs.size();
  }

  private void abort() {
    try {
      producer.abortTransaction();
    } catch (KafkaException e) {
      log.warn("the offload producer cannot abort ({}); starting a new one", e.toString());
      try {
        producer.close(Duration.ZERO);
      } catch (RuntimeException ignored) {
        log.debug("closing the failed producer: {}", ignored.toString());
      }
      producer = producers.get();
      producer.initTransactions();
    }
  }

  private TopicPartition tp(int partition) {
    return new TopicPartition(topic, partition);
  }
}
