package io.switchboard.schemas.kafka;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Consumer properties over the configured client properties (bootstrap servers, SASL, SSL...), with
 * the settings every Switchboard reader needs stated once: it reads only committed records
 * (replies, dispatches and health are written in transactions), commits nothing by itself, and
 * starts at the earliest record unless told otherwise.
 */
public final class ConsumerProperties {
  private final Properties properties = new Properties();

  private ConsumerProperties(Map<?, ?> kafka) {
    properties.putAll(kafka);
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
  }

  /** A {@code read_committed} consumer without auto-commit that starts at the earliest record. */
  public static ConsumerProperties readCommitted(Map<?, ?> kafka) {
    return new ConsumerProperties(kafka);
  }

  /** Joins the consumer group {@code groupId}. */
  public ConsumerProperties group(String groupId) {
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    return this;
  }

  /**
   * Reads without a consumer group (assigned partitions), dropping any {@code group.id} and {@code
   * group.instance.id} the configured properties carry for the group-based processes.
   */
  public ConsumerProperties withoutGroup() {
    properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
    properties.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    return this;
  }

  /** Starts at the latest record when the group has no committed offset. */
  public ConsumerProperties fromLatest() {
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    return this;
  }

  /** Sets {@code key} unless the configured properties already set it. */
  public ConsumerProperties defaultTo(String key, Object value) {
    properties.putIfAbsent(key, value);
    return this;
  }

  /** Sets {@code key}, over whatever the configured properties say. */
  public ConsumerProperties set(String key, Object value) {
    properties.put(key, value);
    return this;
  }

  /** A copy of the properties built. */
  public Properties toProperties() {
    Properties copy = new Properties();
    copy.putAll(properties);
    return copy;
  }
}
