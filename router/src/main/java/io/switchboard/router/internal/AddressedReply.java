package io.switchboard.router.internal;

import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.json.JsonSerde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.TopicNameExtractor;

/** A reply and the topic it goes to; only the reply is written. */
public record AddressedReply(String topic, RouteReply reply) {
  /** Sends each reply to its own topic. */
  public static final TopicNameExtractor<String, AddressedReply> TOPIC =
      (String key, AddressedReply value, RecordContext context) -> value.topic();

  /** Serializes the reply alone. */
  public static Serializer<AddressedReply> serializer() {
    JsonSerde<RouteReply> replies = new JsonSerde<>(RouteReply.class);
    return (topic, value) -> value == null ? null : replies.serialize(topic, value.reply());
  }
}
