package io.switchboard.testkit.kafka;

import java.util.Map;

/**
 * A running Kafka broker for tests, the demo and benchmarks. Closing it stops the broker and
 * removes its data. Implementations: {@link InProcessKafkaBroker} (a real KRaft broker inside this
 * JVM) and {@link ContainerKafkaBroker} (the {@code apache/kafka} image, when Docker answers).
 */
public interface KafkaBroker extends AutoCloseable {
  /** The {@code bootstrap.servers} value for clients. */
  String bootstrapServers();

  /** Client properties that reach this broker. */
  default Map<String, String> clientProperties() {
    return Map.of("bootstrap.servers", bootstrapServers());
  }

  /** A short description, e.g. {@code in-process KRaft 4.3.1 at 127.0.0.1:39911}. */
  String describe();

  @Override
  void close();
}
