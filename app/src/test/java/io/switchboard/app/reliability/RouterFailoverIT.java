package io.switchboard.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.app.reliability.TestSetup.Deployment;
import io.switchboard.app.reliability.Traffic.Load;
import io.switchboard.app.reliability.Traffic.Replies;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Latency;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.testkit.process.ChildJvm;
import io.switchboard.worker.Worker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two router instances as real processes ({@code switchboard router}, one Kafka Streams
 * application); one is killed with SIGKILL under load. The other takes over its tasks: every
 * request is routed and answered exactly once.
 */
class RouterFailoverIT {
  static final boolean SOAK = Boolean.getBoolean("switchboard.soak");

  final List<ChildJvm> children = new ArrayList<>();
  KafkaBroker broker;
  MockProvider mock;
  Worker worker;

  @TempDir Path dir;

  @AfterEach
  void stopAll() {
    TestSetup.closeAll(children);
    if (worker != null) {
      worker.close();
    }
    if (mock != null) {
      mock.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  @Timeout(600)
  void killedRouterInstanceLosesNoRequestAndNoRequestGetsTwoReplies() throws Exception {
    broker = KafkaBrokers.start(TestSetup.FAST_FAILOVER_BROKER);
    mock = MockProvider.start();
    mock.behaveAll(Behavior.ok().withLatency(Latency.uniform(10, 60)));
    Map<String, String> kafka = new HashMap<>(TestSetup.FAST_FAILOVER);
    kafka.put("bootstrap.servers", broker.bootstrapServers());
    String prefix = "rkill";
    Path config =
        TestSetup.writeConfig(
            dir,
            prefix,
            List.of(
                new Deployment("chat", prefix + "-a", mock.baseUrl(prefix + "-a") + "/v1", null),
                new Deployment("chat", prefix + "-b", mock.baseUrl(prefix + "-b") + "/v1", null)),
            kafka,
            null);
    SwitchboardConfig loaded = TestSetup.load(config, Map.of());

    ChildJvm first = TestSetup.router("router-1", config, dir, Map.of());
    children.add(first);
    children.add(TestSetup.router("router-2", config, dir, Map.of()));
    worker = new Worker(loaded, Clock.systemUTC(), name -> null);
    worker.start();
    Traffic.awaitGroup(
        kafka,
        loaded.routerSettings().applicationId(),
        2,
        Duration.ofSeconds(120),
        () -> TestSetup.tails(children));

    int total = SOAK ? 6000 : 400;
    List<String> ids;
    try (Load load =
        new Load(kafka, loaded.topics().requests(), prefix, "chat", SOAK ? 150 : 80, total)) {
      load.awaitSent(total / 3);
      first.kill();
      ids = load.finish();
    }
    Replies replies =
        Traffic.collect(
            kafka,
            loaded.topics().replies(),
            ids,
            Duration.ofSeconds(SOAK ? 300 : 120),
            Duration.ofSeconds(3));
    Map<String, Long> repeated = Traffic.repeatedCalls(mock.calls(), prefix + "-");
    Traffic.report(
        "router instance killed (SIGKILL) under load",
        ids.size(),
        replies,
        repeated,
        mock.calls().stream()
            .filter(c -> c.requestId() != null && c.requestId().startsWith(prefix + "-"))
            .count());

    assertThat(ids).hasSize(total);
    assertThat(replies.missing(ids))
        .as("requests without a reply\n%s", TestSetup.tails(children))
        .isEmpty();
    assertThat(replies.duplicated()).as("requests with more than one reply").isEmpty();
    assertThat(replies.last().values())
        .allSatisfy(r -> assertThat(r.status()).isEqualTo(ReplyStatus.OK));
    assertThat(repeated)
        .as("a routed dispatch is committed once, so no provider call repeats")
        .isEmpty();
  }
}
