package io.switchboard.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.app.reliability.TestSetup.Deployment;
import io.switchboard.app.reliability.Traffic.Load;
import io.switchboard.app.reliability.Traffic.Replies;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Latency;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.testkit.process.ChildJvm;
import io.switchboard.testkit.process.KafkaServerProcess;
import java.nio.file.Path;
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
 * The broker itself is a process ({@code kafka.Kafka}); router and worker are processes too. The
 * broker is stopped and started again under load: once it is back, every request has exactly one
 * reply. With {@code -Dswitchboard.soak=true} the broker is killed (SIGKILL) instead, several
 * times.
 */
class BrokerRestartIT {
  static final boolean SOAK = Boolean.getBoolean("switchboard.soak");

  final List<ChildJvm> children = new ArrayList<>();
  KafkaServerProcess broker;
  MockProvider mock;

  @TempDir Path dir;

  @AfterEach
  void stopAll() {
    TestSetup.closeAll(children);
    if (mock != null) {
      mock.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  @Timeout(600)
  void brokerRestartUnderLoadLosesNoRequestAndNoRequestGetsTwoReplies() throws Exception {
    KafkaServerProcess.Builder b = KafkaServerProcess.builder();
    TestSetup.FAST_FAILOVER_BROKER.forEach(b::property);
    broker = b.start();
    mock = MockProvider.start();
    mock.behaveAll(Behavior.ok().withLatency(Latency.uniform(10, 60)));
    Map<String, String> kafka = new HashMap<>(TestSetup.FAST_FAILOVER);
    if (!SOAK) {
      // The default 60 s: a restart of a few seconds must not time out the open transactions.
      // The soak keeps 6 s, so its outages outlast the transactions (see docs/operations.md).
      kafka.remove("transaction.timeout.ms");
    }
    kafka.put("bootstrap.servers", broker.bootstrapServers());
    String prefix = "brestart";
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
    children.add(TestSetup.router("router", config, dir, Map.of()));
    children.add(TestSetup.worker("worker", config, dir, Map.of()));
    Traffic.awaitGroup(
        kafka,
        loaded.routerSettings().applicationId(),
        1,
        Duration.ofSeconds(120),
        () -> TestSetup.tails(children));
    Traffic.awaitGroup(
        kafka,
        loaded.workerSettings().groupId(),
        1,
        Duration.ofSeconds(120),
        () -> TestSetup.tails(children));

    int outages = SOAK ? 4 : 1;
    int total = SOAK ? 4000 : 300;
    List<String> ids;
    try (Load load = new Load(kafka, loaded.topics().requests(), prefix, "chat", 50, total)) {
      for (int i = 1; i <= outages; i++) {
        load.awaitSent(total * i / (outages + 2));
        if (SOAK) {
          broker.kill();
        } else {
          broker.stop();
        }
        broker.restart();
      }
      ids = load.finish();
    }
    Replies replies =
        Traffic.collect(
            kafka,
            loaded.topics().replies(),
            ids,
            Duration.ofSeconds(SOAK ? 300 : 150),
            Duration.ofSeconds(3));
    Map<String, Long> repeated = Traffic.repeatedCalls(mock.calls(), prefix + "-");
    Traffic.report(
        "broker " + (SOAK ? "killed" : "stopped") + " and restarted x" + outages + " under load",
        ids.size(),
        replies,
        repeated,
        mock.calls().stream()
            .filter(c -> c.requestId() != null && c.requestId().startsWith(prefix + "-"))
            .count());

    assertThat(ids).hasSize(total);
    assertThat(children)
        .as("router and worker survive the outage\n%s", TestSetup.tails(children))
        .allMatch(ChildJvm::isAlive);
    assertThat(replies.missing(ids))
        .as("requests without a reply\n%s", TestSetup.tails(children))
        .isEmpty();
    assertThat(replies.duplicated()).as("requests with more than one reply").isEmpty();
    assertThat(replies.last().values())
        .allSatisfy(r -> assertThat(r.status()).isEqualTo(ReplyStatus.OK));
  }
}
