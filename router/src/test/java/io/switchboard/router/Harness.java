package io.switchboard.router;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.router.metrics.RouterMetrics;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.Handoff;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.live.LiveConfig;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.time.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** A {@link TopologyTestDriver} over the router topology, with a clock the test moves. */
final class Harness implements AutoCloseable {
  static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

  final SwitchboardConfig config;

  /** The live configuration the router routes by: version 0 is {@link #config}. */
  final LiveConfig live;

  final MutableClock clock;
  final Topics topics;
  final TopologyTestDriver driver;
  final TestInputTopic<String, byte[]> requests;
  final TestInputTopic<String, Dispatch> fallbacks;
  final TestInputTopic<String, DeploymentHealth> health;
  final TestOutputTopic<String, Dispatch> dispatch;
  final TestOutputTopic<String, RouteReply> replies;
  final TestOutputTopic<String, DeadLetter> deadLetter;

  /** The router's meters. */
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  Harness(String yaml) {
    this(config(yaml), new MutableClock(NOW), null);
  }

  Harness(SwitchboardConfig config, MutableClock clock, Path stateDir) {
    this.config = config;
    this.live = new LiveConfig(config);
    this.clock = clock;
    this.topics = new Topics(config.topics());
    Properties props =
        Router.streamsProperties(config.withKafka(Map.of("bootstrap.servers", "unused:9092")));
    if (stateDir != null) {
      props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    }
    RouterMetrics metrics = new RouterMetrics(live);
    metrics.bindTo(meters);
    driver =
        new TopologyTestDriver(RouterTopology.build(live, clock, metrics), props, clock.instant());
    requests =
        driver.createInputTopic(
            topics.rawRequests().name(), new StringSerializer(), new ByteArraySerializer());
    fallbacks =
        driver.createInputTopic(
            topics.fallbacks().name(),
            new StringSerializer(),
            topics.fallbacks().valueSerde().serializer());
    health =
        driver.createInputTopic(
            topics.health().name(),
            new StringSerializer(),
            topics.health().valueSerde().serializer());
    dispatch =
        driver.createOutputTopic(
            topics.dispatch().name(),
            new StringDeserializer(),
            topics.dispatch().valueSerde().deserializer());
    replies =
        driver.createOutputTopic(
            topics.replies().name(),
            new StringDeserializer(),
            topics.replies().valueSerde().deserializer());
    deadLetter =
        driver.createOutputTopic(
            topics.deadLetter().name(),
            new StringDeserializer(),
            topics.deadLetter().valueSerde().deserializer());
  }

  static SwitchboardConfig config(String yaml) {
    return new ConfigLoader(k -> null).parse(yaml, "test");
  }

  void send(String json) {
    requests.pipeInput(null, json.getBytes(StandardCharsets.UTF_8));
  }

  void sendBytes(byte[] value) {
    requests.pipeInput(null, value);
  }

  /**
   * A request for {@code model} with a one-message body; {@code extra} is spliced in as more
   * fields.
   */
  static String request(String id, String model, String extra) {
    return "{\"id\":\""
        + id
        + "\""
        + (model == null ? "" : ",\"model\":\"" + model + "\"")
        + (extra == null || extra.isEmpty() ? "" : "," + extra)
        + ",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}";
  }

  static String request(String id, String model) {
    return request(id, model, null);
  }

  void cooling(String deploymentId, Instant until) {
    health.pipeInput(
        deploymentId,
        new DeploymentHealth(deploymentId, until, "test", 3, 1.0, 10, clock.instant()));
  }

  /** Hands {@code d} back as a worker does when its deployment is exhausted. */
  void handBack(Dispatch d, Outcome reason) {
    List<AttemptEvent> attempts = new ArrayList<>(d.attempts());
    attempts.add(
        new AttemptEvent(
            null,
            d.id(),
            d.deploymentId(),
            d.modelName(),
            "m",
            "openai_compatible",
            reason,
            reason == Outcome.CONTEXT_WINDOW ? 400 : 503,
            5,
            null,
            null,
            0.001,
            0,
            "failed",
            clock.instant()));
    fallbacks.pipeInput(d.id(), d.handedOff(attempts, new Handoff(reason, "test")));
  }

  /** Moves the clock and the driver's wall-clock time, firing the router's punctuator. */
  void advance(Duration by) {
    clock.advance(by);
    driver.advanceWallClockTime(by);
  }

  @Override
  public void close() {
    driver.close();
  }
}
