package io.switchboard.schemas.config.live;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.ConfigVersion;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.kafka.ConsumerProperties;
import io.switchboard.schemas.topics.Topic;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The config topic as a history: every version on it, and publishing the next one.
 *
 * <p>Version numbers come from the topic itself: a publisher reads it to its end and writes the
 * last number plus one. Two publishers at once would pick the same number, so publishing is a
 * transaction under one fixed transactional id per config topic ({@link #transactionalId}): the
 * second publisher's {@code initTransactions} fences the first and aborts its open transaction, and
 * the first one's commit fails ({@link ConfigPublishException}); the second reads the topic only
 * after that, with {@code read_committed}, so it numbers its version after every committed one.
 * Either both versions land with consecutive numbers, or one is refused and nothing of it is
 * visible. A commit that fails without a verdict (a broker fencing a publisher can answer its
 * commit with an unexpected error) is decided by reading the record back once its transaction has
 * ended.
 */
public final class ConfigVersions {
  private static final Duration POLL = Duration.ofMillis(100);

  private ConfigVersions() {}

  /** The transactional id every publisher to {@code topic} uses. */
  static String transactionalId(String topic) {
    return "switchboard-config-publisher-" + topic;
  }

  /**
   * Every version on the topic, oldest first; empty when the topic does not exist or holds none.
   * Records that are not a readable version are left out.
   *
   * @throws TimeoutException when the topic cannot be read to its end within {@code timeout}
   */
  public static List<ConfigVersion> read(
      Map<String, String> kafka, Topic<String, ConfigVersion> topic, Duration timeout) {
    try (Consumer<String, byte[]> consumer = consumer(kafka)) {
      return readToEnd(consumer, topic.name(), timeout).stream()
          .map(r -> decode(r).orElse(null))
          .filter(v -> v != null)
          .sorted(Comparator.comparingLong(ConfigVersion::version))
          .toList();
    }
  }

  /**
   * Publishes {@code body} as the next version.
   *
   * @return the version published
   * @throws ConfigPublishException when another publisher fenced this one, or the commit failed
   */
  public static ConfigVersion publish(
      Map<String, String> kafka,
      Topic<String, ConfigVersion> topic,
      String description,
      ObjectNode body,
      Clock clock,
      Duration timeout) {
    Properties p = new Properties();
    p.putAll(kafka);
    p.put("transactional.id", transactionalId(topic.name()));
    p.put("enable.idempotence", "true");
    p.put("acks", "all");
    p.put("max.block.ms", String.valueOf(timeout.toMillis()));
    // A publisher that dies mid-transaction holds readers back until the broker aborts it.
    p.put("transaction.timeout.ms", "10000");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            p,
            new StringSerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      producer.initTransactions();
      long last =
          read(kafka, topic, timeout).stream().mapToLong(ConfigVersion::version).max().orElse(0);
      ConfigVersion next = new ConfigVersion(last + 1, clock.instant(), description, body);
      Future<RecordMetadata> sent = null;
      try {
        producer.beginTransaction();
        sent =
            producer.send(
                new ProducerRecord<>(
                    topic.name(), ConfigVersion.key(next.version()), Json.toBytes(next)));
        producer.commitTransaction();
      } catch (ProducerFencedException | InvalidProducerEpochException e) {
        throw concurrent(next, e);
      } catch (KafkaException e) {
        settle(kafka, sent, next, timeout, e);
      }
      awaitVisible(kafka, topic, next.version(), timeout);
      return next;
    }
  }

  private static ConfigPublishException concurrent(ConfigVersion next, Exception cause) {
    return new ConfigPublishException(
        "another config apply or rollback published at the same time and version "
            + next.version()
            + " was not published; look at `switchboard config history` and apply again",
        cause);
  }

  /**
   * Decides a commit that failed without saying why: the record was written, but the broker's
   * answer to the commit does not tell whether the transaction ended committed or aborted (a broker
   * fencing this publisher for a concurrent one has answered a commit with an unexpected error).
   * Returns when the record was committed after all, and throws when it was not.
   */
  private static void settle(
      Map<String, String> kafka,
      Future<RecordMetadata> sent,
      ConfigVersion next,
      Duration timeout,
      KafkaException failure) {
    RecordMetadata written = writtenOrNull(sent);
    if (written == null) {
      throw new ConfigPublishException(
          "version " + next.version() + " was not published: " + failure.getMessage(), failure);
    }
    TopicPartition partition = new TopicPartition(written.topic(), written.partition());
    Optional<Boolean> committed = committed(kafka, partition, written.offset(), timeout);
    if (committed.isEmpty()) {
      throw new ConfigPublishException(
          "version "
              + next.version()
              + " may or may not have been published: the commit failed ("
              + failure.getMessage()
              + ") and its transaction did not end within "
              + timeout
              + "; look at `switchboard config history` before applying again",
          failure);
    }
    if (!committed.get()) {
      throw new ConfigPublishException(
          "version "
              + next.version()
              + " was not published: its transaction was aborted, as it is when another config"
              + " apply or rollback publishes at the same time; look at `switchboard config"
              + " history` and apply again",
          failure);
    }
  }

  private static RecordMetadata writtenOrNull(Future<RecordMetadata> sent) {
    if (sent == null || !sent.isDone()) {
      return null;
    }
    try {
      return sent.get();
    } catch (ExecutionException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Whether the transactional record at {@code offset} of {@code partition} was committed: waits
   * until its transaction has ended (a {@code read_committed} reader's end offset passes it), then
   * looks for it. Empty when the transaction has not ended within {@code timeout}.
   */
  public static Optional<Boolean> committed(
      Map<String, String> kafka, TopicPartition partition, long offset, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Consumer<String, byte[]> consumer = consumer(kafka)) {
      consumer.assign(List.of(partition));
      while (consumer.endOffsets(List.of(partition), timeout).get(partition) <= offset) {
        if (System.nanoTime() > deadline) {
          return Optional.empty();
        }
        sleep(POLL);
      }
      consumer.seek(partition, offset);
      while (consumer.position(partition, timeout) <= offset) {
        if (System.nanoTime() > deadline) {
          return Optional.empty();
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          if (r.offset() == offset) {
            return Optional.of(true);
          }
        }
      }
      return Optional.of(false);
    }
  }

  private static void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TimeoutException("interrupted while waiting for the config topic", e);
    }
  }

  /**
   * Waits until readers see {@code version}: a commit returns before the transaction's markers are
   * written, and until then a {@code read_committed} reader (the next {@code history}) stops short
   * of the record.
   */
  private static void awaitVisible(
      Map<String, String> kafka,
      Topic<String, ConfigVersion> topic,
      long version,
      Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (read(kafka, topic, timeout).stream().noneMatch(v -> v.version() == version)
        && System.nanoTime() < deadline) {
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** A reader of the config topic: read_committed, no group, never creating the topic. */
  static Consumer<String, byte[]> consumer(Map<String, String> kafka) {
    Properties p =
        ConsumerProperties.readCommitted(kafka)
            .withoutGroup()
            .set("allow.auto.create.topics", "false")
            .toProperties();
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** The config topic's partition, or empty when the topic does not exist. */
  static Optional<TopicPartition> partition(Consumer<?, ?> consumer, String topic) {
    List<PartitionInfo> partitions = consumer.partitionsFor(topic);
    return partitions == null || partitions.isEmpty()
        ? Optional.empty()
        : Optional.of(new TopicPartition(topic, 0));
  }

  /**
   * Assigns the topic's partition to {@code consumer} from the beginning and reads it to its end.
   */
  static List<ConsumerRecord<String, byte[]>> readToEnd(
      Consumer<String, byte[]> consumer, String topic, Duration timeout) {
    Optional<TopicPartition> partition = partition(consumer, topic);
    if (partition.isEmpty()) {
      return List.of();
    }
    TopicPartition tp = partition.get();
    consumer.assign(List.of(tp));
    consumer.seekToBeginning(List.of(tp));
    long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    while (consumer.position(tp, timeout) < end) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            "topic '"
                + topic
                + "' could not be read to its end (offset "
                + end
                + ") in "
                + timeout);
      }
      consumer.poll(POLL).forEach(records::add);
    }
    return records;
  }

  /** The version a record holds, or empty when it holds none that can be read. */
  static Optional<ConfigVersion> decode(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Json.read(record.value(), ConfigVersion.class));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
