package io.switchboard.client;

import io.switchboard.schemas.config.ReplyTopics;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.TopicsConfig;
import io.switchboard.schemas.topics.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a client connects: the Kafka client properties, the topic names and the reply-topic
 * allowlist the router enforces (so that a client fails fast on a reply topic the router would
 * refuse).
 *
 * @param kafka Kafka client properties ({@code bootstrap.servers}, SASL/SSL, ...)
 * @param topics topic names
 * @param replyTopics allowed reply topics: exact names, or prefixes ending in {@code *}
 */
public record ConnectionSettings(
    Map<String, String> kafka, TopicsConfig topics, List<String> replyTopics) {
  public ConnectionSettings {
    kafka = Map.copyOf(Objects.requireNonNull(kafka, "kafka"));
    Objects.requireNonNull(topics, "topics");
    replyTopics = replyTopics == null ? ReplyTopics.defaults(topics) : List.copyOf(replyTopics);
    if (!kafka.containsKey("bootstrap.servers")) {
      throw new InvalidOptionException("kafka", "kafka.bootstrap.servers is required");
    }
  }

  /**
   * The settings of a Switchboard config: its {@code kafka} (which must name {@code
   * bootstrap.servers}), {@code topics} and {@code reply_topics}.
   */
  public static ConnectionSettings of(SwitchboardConfig config) {
    return new ConnectionSettings(config.kafka(), config.topics(), config.replyTopics());
  }

  /** Default topic names and allowlist, with these Kafka properties. */
  public static ConnectionSettings of(Map<String, String> kafka) {
    return new ConnectionSettings(kafka, TopicsConfig.DEFAULT, null);
  }

  /** A copy pointing at other bootstrap servers. */
  public ConnectionSettings withBootstrap(String bootstrap) {
    Map<String, String> k = new LinkedHashMap<>(kafka);
    k.put("bootstrap.servers", bootstrap);
    return new ConnectionSettings(k, topics, replyTopics);
  }

  /** The typed topics. */
  public Topics typedTopics() {
    return new Topics(topics);
  }

  /** Whether the router will accept replies addressed to {@code topic}. */
  public boolean replyTopicAllowed(String topic) {
    return ReplyTopics.allows(replyTopics, topic);
  }
}
