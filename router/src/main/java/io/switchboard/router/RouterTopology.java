package io.switchboard.router;

import static io.switchboard.router.internal.TopologyNames.BUDGET_STORE;
import static io.switchboard.router.internal.TopologyNames.DEAD_LETTER_SINK;
import static io.switchboard.router.internal.TopologyNames.DISPATCH_SINK;
import static io.switchboard.router.internal.TopologyNames.FALLBACKS_SOURCE;
import static io.switchboard.router.internal.TopologyNames.HEALTH_SOURCE;
import static io.switchboard.router.internal.TopologyNames.HEALTH_STORE;
import static io.switchboard.router.internal.TopologyNames.HEALTH_UPDATER;
import static io.switchboard.router.internal.TopologyNames.HOLD_STORE;
import static io.switchboard.router.internal.TopologyNames.REPLY_SINK;
import static io.switchboard.router.internal.TopologyNames.REQUESTS_SOURCE;
import static io.switchboard.router.internal.TopologyNames.ROTATION_STORE;
import static io.switchboard.router.internal.TopologyNames.ROUTING;

import io.switchboard.router.internal.AddressedReply;
import io.switchboard.router.internal.CountsSerde;
import io.switchboard.router.internal.HealthUpdater;
import io.switchboard.router.internal.Held;
import io.switchboard.router.internal.LanePartitioner;
import io.switchboard.router.internal.LanePlans;
import io.switchboard.router.internal.RoutingProcessor;
import io.switchboard.router.metrics.RouterMetrics;
import io.switchboard.router.selection.HealthReports;
import io.switchboard.router.selection.TokenEstimator;
import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.live.LiveConfig;
import io.switchboard.schemas.json.JsonSerde;
import io.switchboard.schemas.topics.LanePlan;
import io.switchboard.schemas.topics.Topic;
import io.switchboard.schemas.topics.Topics;
import java.time.Clock;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the router's Kafka Streams topology from config. Pure: no I/O, no threads.
 *
 * <p>One sub-topology reads the requests and fallbacks topics (as bytes, so that bad records can be
 * answered) into {@link RoutingProcessor}, which writes dispatches (on the deployment's lane),
 * replies (to each request's reply topic) and dead letters. Its task-local stores: the rotation
 * counts per candidate set, the rpm/tpm spent per deployment and minute, and the held requests. The
 * health topic feeds a global store that every task reads. Node and store names: {@link
 * io.switchboard.router.internal.TopologyNames}.
 */
public final class RouterTopology {
  private RouterTopology() {}

  /**
   * The topology for {@code config}.
   *
   * @param clock the time used for deadlines, budget minutes, cooldowns and timestamps
   */
  public static Topology build(SwitchboardConfig config, Clock clock) {
    return build(config, clock, new RouterMetrics(config));
  }

  /**
   * The topology for {@code config}, counting its decisions in {@code metrics}.
   *
   * @param clock the time used for deadlines, budget minutes, cooldowns and timestamps
   */
  public static Topology build(SwitchboardConfig config, Clock clock, RouterMetrics metrics) {
    return build(new LiveConfig(config), clock, metrics);
  }

  /**
   * The topology routing by the live configuration: each task routes by the version of {@code live}
   * in force when it reads a record (see {@link RoutingProcessor}); topics, stores and the
   * process's own settings come from the start-up config, version 0 of {@code live}.
   *
   * @param clock the time used for deadlines, budget minutes, cooldowns and timestamps
   */
  public static Topology build(LiveConfig live, Clock clock, RouterMetrics metrics) {
    SwitchboardConfig config = live.current().config();
    LanePlans plans = new LanePlans(LanePlan.of(config));
    Topics topics = new Topics(config.topics());
    Topic<String, byte[]> requests = topics.rawRequests();
    Topic<String, Dispatch> dispatch = topics.dispatch();
    Topic<String, DeadLetter> deadLetter = topics.deadLetter();
    Serializer<String> keys = Serdes.String().serializer();
    TokenEstimator tokens = new TokenEstimator();

    Topology topology = new Topology();
    topology.addSource(
        REQUESTS_SOURCE,
        requests.keySerde().deserializer(),
        requests.valueSerde().deserializer(),
        requests.name());
    topology.addSource(
        FALLBACKS_SOURCE,
        Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer(),
        topics.fallbacks().name());
    topology.addProcessor(
        ROUTING,
        () -> new RoutingProcessor(live, plans, clock, tokens, metrics),
        REQUESTS_SOURCE,
        FALLBACKS_SOURCE);
    // Rotation counts and budgets change on every request: the record cache keeps them in memory
    // and writes each key once per commit (to RocksDB and the changelog) instead of once per
    // request,
    // and their values are a few binary counters (the cache holds bytes: every get decodes one).
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ROTATION_STORE), Serdes.String(), new CountsSerde())
            .withCachingEnabled(),
        ROUTING);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(BUDGET_STORE), Serdes.String(), new CountsSerde())
            .withCachingEnabled(),
        ROUTING);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(HOLD_STORE),
            Serdes.String(),
            new JsonSerde<>(Held.class)),
        ROUTING);
    topology.addGlobalStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(HEALTH_STORE), Serdes.String(), Serdes.ByteArray())
            .withLoggingDisabled(),
        HEALTH_SOURCE,
        Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer(),
        topics.health().name(),
        HEALTH_UPDATER,
        () -> new HealthUpdater(HealthReports.ttl(config.workerSettings())));
    topology.addSink(
        DISPATCH_SINK,
        dispatch.name(),
        keys,
        dispatch.valueSerde().serializer(),
        new LanePartitioner(plans),
        ROUTING);
    topology.addSink(REPLY_SINK, AddressedReply.TOPIC, keys, AddressedReply.serializer(), ROUTING);
    topology.addSink(
        DEAD_LETTER_SINK, deadLetter.name(), keys, deadLetter.valueSerde().serializer(), ROUTING);
    return topology;
  }
}
