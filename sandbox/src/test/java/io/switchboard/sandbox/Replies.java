package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.topics.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the replies to a set of requests from the reply topic and checks that each got exactly one.
 */
final class Replies {
  private Replies() {}

  /**
   * The reply of every id in {@code ids}, read committed from the start of the reply topic until
   * each has one and for a few polls more, so that a second reply would be seen.
   */
  static Map<String, RouteReply> exactlyOneEach(SwitchboardConfig config, Set<String> ids) {
    Properties p = new Properties();
    p.putAll(config.kafka());
    p.put("group.id", "replies-" + System.nanoTime());
    p.put("auto.offset.reset", "earliest");
    p.put("isolation.level", "read_committed");
    Topics topics = new Topics(config.topics());
    Map<String, Integer> counts = new HashMap<>();
    Map<String, RouteReply> byId = new HashMap<>();
    try (KafkaConsumer<String, RouteReply> consumer =
        new KafkaConsumer<>(
            p, new StringDeserializer(), topics.replies().valueSerde().deserializer())) {
      consumer.subscribe(List.of(topics.replies().name()));
      long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      int extraPolls = 10;
      while (System.nanoTime() < end && (byId.size() < ids.size() || extraPolls-- > 0)) {
        for (ConsumerRecord<String, RouteReply> r : consumer.poll(Duration.ofMillis(200))) {
          if (ids.contains(r.key())) {
            counts.merge(r.key(), 1, Integer::sum);
            byId.put(r.key(), r.value());
          }
        }
      }
    }
    assertThat(counts)
        .as("replies per id")
        .hasSize(ids.size())
        .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
    return byId;
  }
}
