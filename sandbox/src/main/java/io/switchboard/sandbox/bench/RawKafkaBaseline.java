package io.switchboard.sandbox.bench;

import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.topics.TopicProvisioner;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The pipe without the router: the same number of records of the same size through three
 * produce-then-consume hops on the same broker (requests, dispatch, replies), with no logic in
 * between. Switchboard's throughput is reported as a ratio of this, at either delivery guarantee:
 * {@link Guarantee#AT_LEAST_ONCE} (plain producers, asynchronous offset commits) or {@link
 * Guarantee#EXACTLY_ONCE}, committed as Switchboard commits: the source is a plain producer (as the
 * clients publishing requests are), the first hop commits a transaction every {@code
 * commit.interval.ms} (as the router's Kafka Streams does), the second one per poll (as the worker
 * does), and every consumer reads {@code read_committed}.
 */
public final class RawKafkaBaseline {
  private RawKafkaBaseline() {}

  /** How long any stage of the baseline may take before it is reported as incomplete. */
  public static final Duration LIMIT = Duration.ofMinutes(3);

  /**
   * Exactly-once: the first hop's commit interval when the client properties set no {@code
   * commit.interval.ms}.
   */
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);

  /** The delivery guarantee of the hops. */
  public enum Guarantee {
    /** Plain producers; consumers commit asynchronously after every poll. */
    AT_LEAST_ONCE,
    /**
     * Transactional forwarding hops, each committing the records it sent with its consumer offsets:
     * the first every {@code commit.interval.ms} (default {@link
     * RawKafkaBaseline#DEFAULT_COMMIT_INTERVAL}), the second after every poll; every consumer reads
     * {@code read_committed}.
     */
    EXACTLY_ONCE
  }

  /**
   * What the baseline measured.
   *
   * @param recordsPerSecond records that came out of the third hop, per second
   * @param complete whether every record came out within {@link #LIMIT}
   */
  public record Result(double recordsPerSecond, boolean complete) {}

  /**
   * The baseline could not run to its end: a client failed, or a transaction failed and was
   * aborted.
   */
  public static final class FailedException extends RuntimeException {
    FailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The baseline of a bench run: records per second through the three hops on topics named under
   * the run's requests topic (on a shared cluster, removed with the run's other topics), or null
   * when it failed, the failure printed to {@code err}; an incomplete run is warned about on {@code
   * out}.
   */
  public static Double measure(
      SwitchboardConfig cfg,
      int records,
      byte[] payload,
      Guarantee guarantee,
      PrintWriter out,
      PrintWriter err)
      throws Exception {
    String name = guarantee == Guarantee.EXACTLY_ONCE ? "exactly-once" : "at-least-once";
    Result b;
    try {
      b =
          run(
              cfg.kafka(),
              cfg.topics().requests() + "-baseline",
              records,
              payload,
              cfg.topics().requestPartitions(),
              cfg.topics().replicationFactor(),
              guarantee);
    } catch (FailedException e) {
      err.println("error: " + e.getMessage() + "; the report has no " + name + " baseline figure");
      err.flush();
      return null;
    }
    if (!b.complete()) {
      out.println(
          "warning: the "
              + name
              + " raw-Kafka baseline did not get every record through its three hops within "
              + LIMIT
              + "; its figure counts only those that did");
    }
    return b.recordsPerSecond();
  }

  /**
   * Records per second through the three hops, on topics created for this run.
   *
   * @throws FailedException if a hop or the source failed; the other hops stop
   */
  public static Result run(
      Map<String, String> kafka, int records, byte[] payload, int partitions, Guarantee guarantee)
      throws Exception {
    return run(kafka, "bench.baseline", records, payload, partitions, (short) 1, guarantee);
  }

  /**
   * As {@link #run(Map, int, byte[], int, Guarantee)} on topics named {@code prefix} and on, of
   * {@code replicationFactor} replicas.
   */
  public static Result run(
      Map<String, String> kafka,
      String prefix,
      int records,
      byte[] payload,
      int partitions,
      short replicationFactor,
      Guarantee guarantee)
      throws Exception {
    boolean eos = guarantee == Guarantee.EXACTLY_ONCE;
    String name = prefix + "." + (eos ? "eos." : "") + System.nanoTime();
    List<String> hops = List.of(name + ".1", name + ".2", name + ".3", name + ".4");
    try (Admin admin = Admin.create(new HashMap<String, Object>(kafka))) {
      admin
          .createTopics(
              hops.stream().map(t -> new NewTopic(t, partitions, replicationFactor)).toList())
          .all()
          .get();
      TopicProvisioner.awaitLeaders(admin, hops);
    }
    long start = System.nanoTime();
    List<Thread> forwarders = new ArrayList<>();
    AtomicLong arrived = new AtomicLong();
    AtomicReference<FailedException> failure = new AtomicReference<>();
    for (int hop = 0; hop < 3; hop++) {
      String from = hops.get(hop);
      String to = hop == 2 ? null : hops.get(hop + 1);
      String where = "hop " + (hop + 1) + " (" + from + " -> " + (to == null ? "sink" : to) + ")";
      String transactionalId = eos && to != null ? name + ".hop-" + (hop + 1) : null;
      Duration commitEvery = hop == 0 ? routerCommitInterval(kafka) : Duration.ZERO;
      Thread t =
          new Thread(
              () -> {
                try {
                  forward(
                      kafka,
                      from,
                      to,
                      where,
                      transactionalId,
                      commitEvery,
                      eos,
                      records,
                      arrived,
                      failure);
                } catch (FailedException e) {
                  failure.compareAndSet(null, e);
                } catch (RuntimeException e) {
                  failure.compareAndSet(
                      null, new FailedException(failed(guarantee) + where + ": " + e, e));
                }
              },
              "baseline-hop-" + hop);
      t.start();
      forwarders.add(t);
    }
    KafkaProducer<byte[], byte[]> producer = producer(kafka, null);
    try {
      for (int i = 0; i < records && failure.get() == null; i++) {
        producer.send(new ProducerRecord<>(hops.get(0), ("k" + i).getBytes(), payload));
      }
    } catch (RuntimeException e) {
      failure.compareAndSet(
          null,
          new FailedException(failed(guarantee) + "the source (-> " + hops.get(0) + "): " + e, e));
    } finally {
      producer.close(LIMIT);
    }
    for (Thread t : forwarders) {
      t.join(LIMIT.toMillis());
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result(arrived.get() / seconds, arrived.get() >= records);
  }

  private static String failed(Guarantee guarantee) {
    return "the "
        + (guarantee == Guarantee.EXACTLY_ONCE ? "exactly-once" : "at-least-once")
        + " raw-Kafka baseline failed in ";
  }

  /** The router's Kafka Streams commit interval as the client properties set it. */
  private static Duration routerCommitInterval(Map<String, String> kafka) {
    String configured = kafka.get("commit.interval.ms");
    return configured == null
        ? DEFAULT_COMMIT_INTERVAL
        : Duration.ofMillis(Long.parseLong(configured.trim()));
  }

  /**
   * Reads {@code from} until {@code records} arrived and sends each record on to {@code to} (none
   * for the sink). With a transactional id, the records sent and the offsets after them are
   * committed together once {@code commitEvery} has passed since the transaction began (zero: after
   * every poll) and at the end.
   */
  private static void forward(
      Map<String, String> kafka,
      String from,
      String to,
      String where,
      String transactionalId,
      Duration commitEvery,
      boolean eos,
      int records,
      AtomicLong arrived,
      AtomicReference<FailedException> failure) {
    Properties p = new Properties();
    p.putAll(kafka);
    p.put("group.id", from + ".group");
    p.put("auto.offset.reset", "earliest");
    p.put("max.poll.records", "2000");
    if (eos) {
      p.put("isolation.level", "read_committed");
      p.put("enable.auto.commit", "false");
    }
    long seen = 0;
    long end = System.nanoTime() + LIMIT.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer =
            to == null ? null : producer(kafka, transactionalId)) {
      if (transactionalId != null) {
        producer.initTransactions();
      }
      consumer.subscribe(List.of(from));
      Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
      long openedAt = 0;
      while (seen < records && System.nanoTime() < end && failure.get() == null) {
        ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(50));
        seen += polled.count();
        if (transactionalId == null) {
          if (producer != null) {
            for (ConsumerRecord<byte[], byte[]> r : polled) {
              producer.send(new ProducerRecord<>(to, r.key(), r.value()));
            }
          }
          consumer.commitAsync();
          continue;
        }
        try {
          if (!polled.isEmpty()) {
            if (uncommitted.isEmpty()) {
              producer.beginTransaction();
              openedAt = System.nanoTime();
            }
            for (ConsumerRecord<byte[], byte[]> r : polled) {
              producer.send(new ProducerRecord<>(to, r.key(), r.value()));
            }
            for (TopicPartition tp : polled.partitions()) {
              List<ConsumerRecord<byte[], byte[]>> rs = polled.records(tp);
              uncommitted.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
            }
          }
          if (!uncommitted.isEmpty()
              && (seen >= records || System.nanoTime() - openedAt >= commitEvery.toNanos())) {
            producer.sendOffsetsToTransaction(uncommitted, consumer.groupMetadata());
            producer.commitTransaction();
            uncommitted.clear();
          }
        } catch (KafkaException e) {
          throw aborted(producer, where, e);
        }
      }
    }
    if (to == null) {
      arrived.set(seen);
    }
  }

  private static FailedException aborted(
      KafkaProducer<byte[], byte[]> producer, String where, KafkaException cause) {
    String outcome;
    KafkaException abortFailure = null;
    try {
      producer.abortTransaction();
      outcome = "aborted";
    } catch (KafkaException e) {
      abortFailure = e;
      outcome = "the abort failed too (" + e + ")";
    }
    FailedException failed =
        new FailedException(
            failed(Guarantee.EXACTLY_ONCE)
                + where
                + ": a transaction failed ("
                + cause
                + "); "
                + outcome,
            cause);
    if (abortFailure != null) {
      failed.addSuppressed(abortFailure);
    }
    return failed;
  }

  private static KafkaProducer<byte[], byte[]> producer(
      Map<String, String> kafka, String transactionalId) {
    Properties p = new Properties();
    p.putAll(kafka);
    p.putIfAbsent("linger.ms", "5"); // as the load producer: the config's kafka: section decides
    p.put("acks", "all");
    if (transactionalId != null) {
      p.put("transactional.id", transactionalId);
    }
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
