package io.switchboard.router;

import io.switchboard.router.internal.AddressedReply;
import io.switchboard.router.internal.LanePartitioner;
import io.switchboard.router.internal.RoutingProcessor;
import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.JsonSerde;
import io.switchboard.schemas.topics.LanePlan;
import io.switchboard.schemas.topics.Topic;
import io.switchboard.schemas.topics.Topics;
import java.time.Clock;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** Builds the router's Kafka Streams topology from config. Pure: no I/O, no threads. */
public final class RouterTopology {
  static final String REQUESTS_SOURCE = "requests";
  public static final String ROUTING = "routing";
  public static final String DISPATCH_SINK = "dispatch-sink";
  public static final String REPLY_SINK = "reply-sink";
  public static final String DEAD_LETTER_SINK = "dead-letter-sink";
  /** Smooth weighted round robin scores, per candidate set. */
  public static final String ROTATION_STORE = "rotation-store";

  private RouterTopology() {}

  /**
   * The topology for {@code config}.
   *
   * @param clock the time used for deadlines and timestamps
   */
  public static Topology build(SwitchboardConfig config, Clock clock) {
    Topics topics = new Topics(config.topics());
    Topic<String, byte[]> requests = topics.rawRequests();
    Topic<String, Dispatch> dispatch = topics.dispatch();
    Topic<String, DeadLetter> deadLetter = topics.deadLetter();
    Serializer<String> keys = Serdes.String().serializer();

    Topology topology = new Topology();
    topology.addSource(REQUESTS_SOURCE, requests.keySerde().deserializer(), requests.valueSerde().deserializer(),
        requests.name());
    topology.addProcessor(ROUTING, () -> new RoutingProcessor(config, clock), REQUESTS_SOURCE);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ROTATION_STORE),
        Serdes.String(), new JsonSerde<>(long[].class)), ROUTING);
    topology.addSink(DISPATCH_SINK, dispatch.name(), keys, dispatch.valueSerde().serializer(),
        new LanePartitioner(LanePlan.of(config)), ROUTING);
    topology.addSink(REPLY_SINK, AddressedReply.TOPIC, keys, AddressedReply.serializer(), ROUTING);
    topology.addSink(DEAD_LETTER_SINK, deadLetter.name(), keys, deadLetter.valueSerde().serializer(), ROUTING);
    return topology;
  }
}
