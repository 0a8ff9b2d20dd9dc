package io.switchboard.worker.health;

import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.JsonSerde;
import io.switchboard.schemas.kafka.ConsumerProperties;
import io.switchboard.schemas.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the compacted health topic from the beginning, on its own thread and with its own consumer
 * (assigned every partition, no consumer group), and applies every cooldown published by any worker
 * to a {@link HealthTracker}. Unreadable records are skipped with a warning.
 */
public final class HealthListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthListener.class);

  private final HealthTracker tracker;
  private final String topic;
  private final KafkaConsumer<String, byte[]> consumer;
  private final JsonSerde<DeploymentHealth> serde = new JsonSerde<>(DeploymentHealth.class);
  private final Thread thread;
  private volatile boolean running = true;

  public HealthListener(SwitchboardConfig config, HealthTracker tracker) {
    this.tracker = Objects.requireNonNull(tracker, "tracker");
    this.topic = new Topics(config.topics()).health().name();
    Properties p = ConsumerProperties.readCommitted(config.kafka()).withoutGroup().toProperties();
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "switchboard-worker-health");
    thread.setDaemon(true);
  }

  /** Starts reading on the listener's thread. */
  public void start() {
    thread.start();
  }

  private void run() {
    try {
      List<TopicPartition> partitions = List.of();
      while (running && partitions.isEmpty()) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        partitions =
            infos == null
                ? List.of()
                : infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        if (partitions.isEmpty()) {
          log.warn(
              "health topic {} has no partitions yet; other workers' cooldowns are not seen until it exists",
              topic);
          TimeUnit.SECONDS.sleep(1);
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          apply(record);
        }
      }
    } catch (WakeupException | InterruptedException e) {
      log.debug("health listener stopping");
    } catch (RuntimeException e) {
      log.error("health listener failed; cooldowns of other workers are no longer applied", e);
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private void apply(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      return;
    }
    try {
      DeploymentHealth health = serde.deserialize(record.topic(), record.value());
      tracker.apply(health);
    } catch (RuntimeException e) {
      log.warn(
          "skipping unreadable health record at {}/{}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.getMessage());
    }
  }

  /** Stops the thread and closes the consumer. */
  @Override
  public void close() {
    running = false;
    if (!thread.isAlive() && thread.getState() == Thread.State.NEW) {
      consumer.close(Duration.ZERO);
      return;
    }
    consumer.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
