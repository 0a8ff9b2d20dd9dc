package io.switchboard.testkit.kafka;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
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

  /**
   * Starts a container with the single-node settings of {@link
   * InProcessKafkaBroker#singleNodeDefaults()}.
   */
  public static ContainerKafkaBroker start() {
    return start(Map.of());
  }

  /**
   * Starts a container; {@code overrides} are broker properties applied over the single-node
   * defaults, passed as the image's {@code KAFKA_*} environment variables.
   */
  public static ContainerKafkaBroker start(Map<String, String> overrides) {
    Map<String, String> props = new HashMap<>(InProcessKafkaBroker.singleNodeDefaults());
    props.putAll(overrides);
    KafkaContainer container = new KafkaContainer(IMAGE);
    props.forEach((name, value) -> container.withEnv(environmentName(name), value));
    container.start();
    return new ContainerKafkaBroker(container);
  }

  /**
   * The {@code apache/kafka} image's environment variable for a broker property: {@code KAFKA_} and
   * the name in upper case, with {@code .} as {@code _}, {@code _} as {@code __} and {@code -} as
   * {@code ___}.
   */
  static String environmentName(String property) {
    return "KAFKA_"
        + property
            .replace("_", "__")
            .replace("-", "___")
            .replace('.', '_')
            .toUpperCase(Locale.ROOT);
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
