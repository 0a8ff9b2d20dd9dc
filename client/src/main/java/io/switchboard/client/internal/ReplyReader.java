package io.switchboard.client.internal;

import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.kafka.ConsumerProperties;
import io.switchboard.schemas.topics.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one background thread that reads a reply topic ({@code read_committed}, every partition
 * assigned, no consumer group, no commits) and hands each reply to a sink. A record that is not a
 * valid reply is logged with its topic, partition and offset and skipped.
 */
public final class ReplyReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplyReader.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private final Topic<String, RouteReply> topic;
  private final boolean fromBeginning;
  private final Consumer<RouteReply> sink;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
  private volatile boolean running = true;
  private volatile boolean started;
  private Map<TopicPartition, Long> catchUpEnd;

  /**
   * @param kafka Kafka client properties
   * @param topic the reply topic (it must exist)
   * @param fromBeginning read from the first record still on the topic, else from its end
   * @param sink receives every reply, on the reader thread
   */
  public ReplyReader(
      Map<String, String> kafka,
      Topic<String, RouteReply> topic,
      boolean fromBeginning,
      Consumer<RouteReply> sink) {
    this.topic = topic;
    this.fromBeginning = fromBeginning;
    this.sink = sink;
    Properties props =
        ConsumerProperties.readCommitted(kafka)
            .withoutGroup()
            .defaultTo(ConsumerConfig.CLIENT_ID_CONFIG, "switchboard-reply-reader-" + topic.name())
            .toProperties();
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "switchboard-replies-" + topic.name());
    this.thread.setDaemon(true);
  }

  /** Starts reading; returns once every partition is assigned and positioned. */
  public void start(Duration timeout) {
    started = true;
    thread.start();
    try {
      ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(
          "cannot read reply topic '" + topic.name() + "': " + e.getCause().getMessage(),
          e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      close();
      throw new IllegalStateException(
          "reply topic '"
              + topic.name()
              + "' could not be assigned within "
              + timeout
              + "; is the broker at the configured bootstrap.servers reachable?",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while starting the reply reader", e);
    }
  }

  /** Completes when every reply that was on the topic at start has been handed to the sink. */
  public CompletableFuture<Void> caughtUp() {
    return caughtUp;
  }

  private void run() {
    try {
      List<TopicPartition> partitions = partitions();
      consumer.assign(partitions);
      if (fromBeginning) {
        consumer.seekToBeginning(partitions);
        catchUpEnd = new HashMap<>(consumer.endOffsets(partitions));
      } else {
        consumer.seekToEnd(partitions);
      }
      partitions.forEach(consumer::position);
      ready.complete(null);
      checkCaughtUp();
      while (running) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        for (ConsumerRecord<byte[], byte[]> r : records) {
          deliver(r);
        }
        checkCaughtUp();
      }
    } catch (WakeupException e) {
      if (running) {
        LOG.error("reply reader of '{}' was woken up unexpectedly", topic.name(), e);
      }
    } catch (RuntimeException e) {
      ready.completeExceptionally(e);
      LOG.error("reply reader of '{}' stopped: {}", topic.name(), e.getMessage(), e);
    } finally {
      caughtUp.completeExceptionally(
          new IllegalStateException("the reply reader of '" + topic.name() + "' stopped"));
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private List<TopicPartition> partitions() {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (running) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic.name());
      if (infos != null && !infos.isEmpty()) {
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      }
      if (System.nanoTime() > until) {
        throw new IllegalStateException("reply topic '" + topic.name() + "' does not exist");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    throw new WakeupException();
  }

  private void checkCaughtUp() {
    if (caughtUp.isDone()) {
      return;
    }
    if (catchUpEnd != null) {
      for (Map.Entry<TopicPartition, Long> e : catchUpEnd.entrySet()) {
        if (consumer.position(e.getKey()) < e.getValue()) {
          return;
        }
      }
    }
    caughtUp.complete(null);
  }

  private void deliver(ConsumerRecord<byte[], byte[]> r) {
    RouteReply reply;
    try {
      reply = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      LOG.warn(
          "skipping record at {}-{} offset {}: {}",
          r.topic(),
          r.partition(),
          r.offset(),
          e.getMessage());
      return;
    }
    if (reply == null) {
      return;
    }
    try {
      sink.accept(reply);
    } catch (RuntimeException e) {
      LOG.error(
          "handling reply '{}' from {}-{} offset {} failed",
          reply.id(),
          r.topic(),
          r.partition(),
          r.offset(),
          e);
    }
  }

  /** Stops the thread and closes the consumer. */
  @Override
  public void close() {
    running = false;
    if (!started) {
      consumer.close(Duration.ZERO);
      return;
    }
    consumer.wakeup();
    if (Thread.currentThread() != thread && thread.isAlive()) {
      try {
        thread.join(Duration.ofSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
