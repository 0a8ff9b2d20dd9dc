package io.switchboard.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.app.reliability.TestSetup.Deployment;
import io.switchboard.app.reliability.Traffic.Load;
import io.switchboard.app.reliability.Traffic.Replies;
import io.switchboard.router.Router;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Latency;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.testkit.process.ChildJvm;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers as real processes ({@code switchboard worker}) in one group, under load: one is killed
 * with SIGKILL, or all are restarted one by one with SIGTERM. Every request still gets exactly one
 * reply; provider calls repeated by a crash are counted and printed, and a rolling restart with
 * graceful stops repeats none.
 *
 * <p>With {@code -Dswitchboard.soak=true} the load is longer and heavier.
 */
class WorkerFailoverIT {
  static final boolean SOAK = Boolean.getBoolean("switchboard.soak");

  static KafkaBroker broker;
  static MockProvider mock;

  final List<ChildJvm> children = new ArrayList<>();
  Router router;

  @TempDir Path dir;

  @BeforeAll
  static void startBrokerAndMock() {
    broker = KafkaBrokers.start(TestSetup.FAST_FAILOVER_BROKER);
    mock = MockProvider.start();
    mock.behaveAll(Behavior.ok().withLatency(Latency.uniform(20, 150)));
  }

  @AfterAll
  static void stopBrokerAndMock() {
    if (mock != null) {
      mock.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @AfterEach
  void stopProcesses() {
    TestSetup.closeAll(children);
    if (router != null) {
      router.close();
    }
  }

  private Map<String, String> kafka() {
    Map<String, String> k = new HashMap<>(TestSetup.FAST_FAILOVER);
    k.put("bootstrap.servers", broker.bootstrapServers());
    return k;
  }

  private SwitchboardConfig startRouter(String prefix, Path config) throws InterruptedException {
    SwitchboardConfig loaded = TestSetup.load(config, Map.of());
    router = new Router(loaded, Clock.systemUTC());
    router.start();
    router.awaitRunning(Duration.ofSeconds(60));
    return loaded;
  }

  private Path config(String prefix) throws Exception {
    return TestSetup.writeConfig(
        dir,
        prefix,
        List.of(
            new Deployment("chat", prefix + "-a", mock.baseUrl(prefix + "-a") + "/v1", null),
            new Deployment("chat", prefix + "-b", mock.baseUrl(prefix + "-b") + "/v1", null)),
        kafka(),
        null);
  }

  @Test
  @Timeout(600)
  void killedWorkerLosesNoRequestAndNoRequestGetsTwoReplies() throws Exception {
    String prefix = "wkill";
    Path config = config(prefix);
    SwitchboardConfig loaded = startRouter(prefix, config);
    ChildJvm first = TestSetup.worker("worker-1", config, dir, Map.of());
    children.add(first);
    children.add(TestSetup.worker("worker-2", config, dir, Map.of()));
    Traffic.awaitGroup(kafka(), loaded.workerSettings().groupId(), 2, Duration.ofSeconds(90));

    int total = SOAK ? 6000 : 400;
    int rate = SOAK ? 150 : 80;
    List<String> ids;
    try (Load load = new Load(kafka(), loaded.topics().requests(), prefix, "chat", rate, total)) {
      load.awaitSent(total / 3);
      first.kill();
      ids = load.finish();
    }
    Replies replies =
        Traffic.collect(
            kafka(),
            loaded.topics().replies(),
            ids,
            Duration.ofSeconds(SOAK ? 300 : 120),
            Duration.ofSeconds(3));
    Map<String, Long> repeated = Traffic.repeatedCalls(mock.calls(), prefix + "-");
    Traffic.report(
        "worker killed (SIGKILL) under load",
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
  }

  @Test
  @Timeout(600)
  void rollingRestartWithGracefulStopsLosesNothingAndRepliesOnce() throws Exception {
    String prefix = "wroll";
    Path config = config(prefix);
    SwitchboardConfig loaded = startRouter(prefix, config);
    String group = loaded.workerSettings().groupId();
    ChildJvm[] workers = {
      TestSetup.worker("worker-1", config, dir, Map.of()),
      TestSetup.worker("worker-2", config, dir, Map.of())
    };
    children.addAll(List.of(workers));
    Traffic.awaitGroup(kafka(), group, 2, Duration.ofSeconds(90));

    int rounds = SOAK ? 5 : 1;
    List<String> ids;
    try (Load load =
        new Load(
            kafka(),
            loaded.topics().requests(),
            prefix,
            "chat",
            SOAK ? 150 : 60,
            SOAK ? 100_000 : 3000)) {
      load.awaitSent(60);
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < workers.length; i++) {
          int code = workers[i].stop(Duration.ofSeconds(45));
          assertThat(code)
              .as(
                  "%s stopped by SIGTERM within the grace period\n%s",
                  workers[i].name(), workers[i].tail())
              .isNotEqualTo(-1);
          workers[i] =
              TestSetup.worker("worker-" + (i + 1) + "-r" + (round + 1), config, dir, Map.of());
          children.add(workers[i]);
          Traffic.awaitGroup(kafka(), group, 2, Duration.ofSeconds(90));
        }
      }
      ids = load.stop();
    }
    Replies replies =
        Traffic.collect(
            kafka(),
            loaded.topics().replies(),
            ids,
            Duration.ofSeconds(120),
            Duration.ofSeconds(3));
    Map<String, Long> repeated = Traffic.repeatedCalls(mock.calls(), prefix + "-");
    Traffic.report(
        "rolling restart (SIGTERM, " + rounds + " round(s))",
        ids.size(),
        replies,
        repeated,
        mock.calls().stream()
            .filter(c -> c.requestId() != null && c.requestId().startsWith(prefix + "-"))
            .count());

    assertThat(ids.size()).isGreaterThan(60);
    assertThat(replies.missing(ids))
        .as("requests without a reply\n%s", TestSetup.tails(children))
        .isEmpty();
    assertThat(replies.duplicated()).as("requests with more than one reply").isEmpty();
    assertThat(replies.last().values())
        .allSatisfy(r -> assertThat(r.status()).isEqualTo(ReplyStatus.OK));
    // A worker stopped by SIGTERM drains its calls in flight, and one giving up partitions to a
    // newcomer finishes them first: unlike after SIGKILL, no provider call is made twice.
    assertThat(repeated)
        .as("requests called more than once\n%s", TestSetup.tails(children))
        .isEmpty();
  }
}
