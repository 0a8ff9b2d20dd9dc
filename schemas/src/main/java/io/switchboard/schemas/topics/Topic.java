package io.switchboard.schemas.topics;

import org.apache.kafka.common.serialization.Serde;

/**
 * A topic with the serdes of its key and value: the one way code names a topic.
 *
 * @param name the topic name
 * @param keySerde serde of the record key
 * @param valueSerde serde of the record value
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
  @Override
  public String toString() {
    return name;
  }
}
