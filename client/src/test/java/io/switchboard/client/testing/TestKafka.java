package io.switchboard.client.testing;

import io.switchboard.client.ConnectionSettings;
import io.switchboard.schemas.config.TopicsConfig;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** One real broker for the whole test JVM, and fresh topic names per test. */
public final class TestKafka {
  private static KafkaBroker broker;

  private TestKafka() {}

  public static synchronized KafkaBroker broker() {
    if (broker == null) {
      broker = KafkaBrokers.start();
      KafkaBroker b = broker;
      Runtime.getRuntime().addShutdownHook(new Thread(b::close));
    }
    return broker;
  }

  public static String bootstrap() {
    return broker().bootstrapServers();
  }

  /** Topic names under a fresh prefix, with the requests topic created (3 partitions). */
  public static ConnectionSettings freshConnection() {
    String prefix = "t" + UUID.randomUUID().toString().substring(0, 8);
    ConnectionSettings conn = connection(bootstrap(), prefix);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
      admin
          .createTopics(List.of(new NewTopic(conn.topics().requests(), 3, (short) 1)))
          .all()
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return conn;
  }

  /** Settings with every topic named {@code <prefix>.<role>}. */
  public static ConnectionSettings connection(String bootstrap, String prefix) {
    TopicsConfig topics =
        new TopicsConfig(
            prefix + ".requests",
            prefix + ".dispatch",
            prefix + ".fallbacks",
            prefix + ".replies",
            prefix + ".metrics",
            prefix + ".health",
            prefix + ".dead-letter",
            3,
            (short) 1);
    return new ConnectionSettings(Map.of("bootstrap.servers", bootstrap), topics, null);
  }

  /** The prefix of a connection made by {@link #connection}. */
  public static String prefix(ConnectionSettings conn) {
    String requests = conn.topics().requests();
    return requests.substring(0, requests.indexOf('.'));
  }

  /** How many records a topic holds (sum of end offsets). */
  public static long recordCount(String topic) {
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    ByteArrayDeserializer.class.getName()))) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
