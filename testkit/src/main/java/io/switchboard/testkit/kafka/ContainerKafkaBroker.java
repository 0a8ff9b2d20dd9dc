package io.switchboard.testkit.kafka;

import java.util.concurrent.atomic.AtomicBoolean;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/** A single-node {@code apache/kafka} container via Testcontainers; needs a Docker engine. */
public final class ContainerKafkaBroker implements KafkaBroker {
  /** The image used; the same Kafka version as the client jars. */
  public static final String IMAGE = "apache/kafka:4.3.1";

  private final KafkaContainer container;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ContainerKafkaBroker(KafkaContainer container) {
    this.container = container;
  }

  /** Whether a Docker engine answers (the docker CLI alone is not enough). */
  public static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  public static ContainerKafkaBroker start() {
    KafkaContainer container = new KafkaContainer(IMAGE)
        .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
        .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
        .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    container.start();
    return new ContainerKafkaBroker(container);
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public String describe() {
    return "container " + IMAGE + " at " + bootstrapServers();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      container.stop();
    }
  }
}
