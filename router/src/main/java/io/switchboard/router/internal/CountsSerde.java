package io.switchboard.router.internal;

import io.switchboard.schemas.json.JsonSerde;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The values of the rotation and budget stores (a few counters): a version byte, then each count as
 * 8 bytes big-endian. These stores are read and written for every request, and this is several
 * times cheaper than JSON. Values written as JSON arrays (by earlier versions, in changelogs still
 * being restored) are read too: a JSON array starts with {@code [}, never with the version byte.
 */
public final class CountsSerde implements Serde<long[]>, Serializer<long[]>, Deserializer<long[]> {
  static final byte VERSION = 1;
  private static final JsonSerde<long[]> JSON = new JsonSerde<>(long[].class);

  @Override
  public byte[] serialize(String topic, long[] counts) {
    if (counts == null) {
      return null;
    }
    ByteBuffer out = ByteBuffer.allocate(1 + Long.BYTES * counts.length).put(VERSION);
    for (long c : counts) {
      out.putLong(c);
    }
    return out.array();
  }

  @Override
  public long[] deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (data.length > 0 && data[0] == '[') {
      return JSON.deserialize(topic, data);
    }
    if (data.length == 0 || data[0] != VERSION || (data.length - 1) % Long.BYTES != 0) {
      throw new SerializationException(
          "store value of "
              + data.length
              + " bytes on '"
              + topic
              + "' is not a list of counts (version "
              + VERSION
              + ")");
    }
    ByteBuffer in = ByteBuffer.wrap(data, 1, data.length - 1);
    long[] counts = new long[(data.length - 1) / Long.BYTES];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = in.getLong();
    }
    return counts;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {}

  @Override
  public void close() {}

  @Override
  public Serializer<long[]> serializer() {
    return this;
  }

  @Override
  public Deserializer<long[]> deserializer() {
    return this;
  }
}
