package io.switchboard.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.live.ConfigVersions;
import io.switchboard.schemas.config.live.ConfigWatcher;
import io.switchboard.schemas.config.live.LiveConfig;
import io.switchboard.schemas.config.live.LiveSections;
import io.switchboard.schemas.topics.TopicProvisioner;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The config watcher on the real broker: what it applies, what it refuses, what it keeps. */
class ConfigWatcherIT {
  static KafkaBroker broker;

  @BeforeAll
  static void start() {
    broker = KafkaBrokers.start();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  static SwitchboardConfig config(String name, String deployments) throws Exception {
    SwitchboardConfig config =
        new ConfigLoader(k -> null)
            .parse("model_list:\n" + deployments, name + ".yaml")
            .namespaced("-" + name)
            .withKafka(broker.clientProperties());
    return config;
  }

  static final String TWO =
      """
        - {model_name: chat, deployment_id: a, api_base: "http://a/v1", weight: %s}
        - {model_name: chat, deployment_id: b, api_base: "http://b/v1"}
      """;

  static void provision(SwitchboardConfig config) throws Exception {
    try (Admin admin = Admin.create(new HashMap<String, Object>(config.kafka()))) {
      TopicProvisioner.ensure(admin, config);
    }
  }

  static void publish(SwitchboardConfig local, ObjectNode body) {
    ConfigVersions.publish(
        local.kafka(),
        new Topics(local.topics()).configVersions(),
        "test",
        body,
        Clock.systemUTC(),
        Duration.ofSeconds(30));
  }

  static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < end) {
      Thread.sleep(20);
    }
  }

  @Test
  @Timeout(120)
  void aVersionThatCannotApplyIsRefusedCountedAndTheLastGoodOneStays() throws Exception {
    SwitchboardConfig local = config("watch", TWO.formatted(1));
    provision(local);
    LiveConfig live = new LiveConfig(local);
    try (ConfigWatcher watcher = new ConfigWatcher(local, live, "test")) {
      watcher.start(Duration.ofSeconds(30));
      assertThat(live.version()).as("an empty topic: the file").isZero();

      publish(local, LiveSections.of(config("watch", TWO.formatted(5))));
      await(() -> live.version() == 1);
      assertThat(live.current().config().deployment("a").orElseThrow().weight()).isEqualTo(5.0);

      ObjectNode moreLanes = LiveSections.of(config("watch", TWO.formatted(7)));
      ((ObjectNode) moreLanes.at("/model_list/1")).put("lanes", 4);
      publish(local, moreLanes);
      ObjectNode invalid = LiveSections.of(config("watch", TWO.formatted(8)));
      invalid.putObject("fallbacks").putArray("chat").add("nowhere");
      publish(local, invalid);
      await(() -> live.rejected() == 2);
      assertThat(live.rejected()).isEqualTo(2);
      assertThat(live.version()).as("the last good version stays").isEqualTo(1);

      publish(local, LiveSections.of(config("watch", TWO.formatted(9))));
      await(() -> live.version() == 4);
      assertThat(live.current().config().deployment("a").orElseThrow().weight()).isEqualTo(9.0);
      assertThat(live.current().config().kafka()).isEqualTo(local.kafka());
    }
  }

  @Test
  @Timeout(120)
  void atStartTheNewestVersionThatAppliesIsInForce() throws Exception {
    SwitchboardConfig local = config("restart", TWO.formatted(1));
    provision(local);
    publish(local, LiveSections.of(config("restart", TWO.formatted(2))));
    publish(local, LiveSections.of(config("restart", TWO.formatted(3))));
    ObjectNode invalid = LiveSections.of(config("restart", TWO.formatted(4)));
    invalid.putObject("routing_strategies").put("chat", "no-such-strategy");
    publish(local, invalid);

    LiveConfig live = new LiveConfig(local);
    try (ConfigWatcher watcher = new ConfigWatcher(local, live, "test")) {
      watcher.start(Duration.ofSeconds(30));
      assertThat(live.version()).isEqualTo(2);
      assertThat(live.current().config().deployment("a").orElseThrow().weight()).isEqualTo(3.0);
      assertThat(live.rejected()).isEqualTo(1);
    }
  }
}
