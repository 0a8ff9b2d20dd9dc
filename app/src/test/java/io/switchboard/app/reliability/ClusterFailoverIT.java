package io.switchboard.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.app.Main;
import io.switchboard.app.reliability.TestSetup.Deployment;
import io.switchboard.app.reliability.Traffic.Load;
import io.switchboard.app.reliability.Traffic.Replies;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.topics.TopicProvisioner;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Latency;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.testkit.process.ChildJvm;
import io.switchboard.testkit.process.KafkaClusterProcess;
import io.switchboard.testkit.process.KafkaNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A three-broker cluster ({@link KafkaClusterProcess}: a KRaft controller and three brokers, each a
 * {@code kafka.Kafka} process) with replication factor 3 and {@code min.insync.replicas=2} for
 * every topic, the internal ones included; router and worker are processes too. Under load, one
 * broker is stopped and started again: the leader of every dispatch and reply partition, and,
 * separately, the coordinator of the worker's transactions. Every request still gets exactly one
 * reply; provider calls made twice are counted and printed.
 *
 * <p>With {@code -Dswitchboard.soak=true} the broker is killed (SIGKILL) instead, under a longer
 * load.
 */
class ClusterFailoverIT {
  static final boolean SOAK = Boolean.getBoolean("switchboard.soak");
  static final int RATE = SOAK ? 100 : 25;

  /** Requests before the broker goes and after it is back. */
  static final int AROUND = SOAK ? 1000 : 50;

  static KafkaClusterProcess cluster;
  static MockProvider mock;

  final List<ChildJvm> children = new ArrayList<>();

  @TempDir Path dir;

  @BeforeAll
  static void startClusterAndMock() throws InterruptedException {
    KafkaClusterProcess.Builder b =
        KafkaClusterProcess.builder()
            // A killed broker loses its leaderships when its session times out: seconds, not the
            // default 9.
            .property("broker.session.timeout.ms", "4000")
            .property("broker.heartbeat.interval.ms", "500");
    TestSetup.FAST_FAILOVER_BROKER.forEach(b::property);
    cluster = b.start();
    mock = MockProvider.start();
    mock.behaveAll(Behavior.ok().withLatency(Latency.uniform(20, 150)));
  }

  @AfterAll
  static void stopClusterAndMock() {
    if (mock != null) {
      mock.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void stopProcesses() {
    TestSetup.closeAll(children);
  }

  @Test
  @Timeout(300)
  void leaderOfEveryDispatchAndReplyPartitionGoesAwayAndNoRequestIsLostOrAnsweredTwice()
      throws Exception {
    String prefix = "cleader";
    Path config = config(prefix);
    SwitchboardConfig loaded = TestSetup.load(config, Map.of());
    int leader = KafkaClusterProcess.BROKER_IDS.get(0);
    List<String> led = List.of(loaded.topics().dispatch(), loaded.topics().replies());
    createTopicsLedBy(loaded, leader, led);

    survivesOutage(
        prefix,
        config,
        loaded,
        new Target(
            "leader of every dispatch and reply partition",
            () -> {
              for (String topic : led) {
                assertThat(cluster.leaders(topic).values())
                    .as("leaders of %s", topic)
                    .containsOnly(leader);
              }
              return leader;
            },
            broker -> {
              for (String topic : led) {
                if (cluster.leaders(topic).containsValue(broker)) {
                  return false;
                }
              }
              return true;
            }));
  }

  @Test
  @Timeout(300)
  void coordinatorOfTheWorkersTransactionsGoesAwayAndNoRequestIsLostOrAnsweredTwice()
      throws Exception {
    String prefix = "ccoord";
    Path config = config(prefix);
    SwitchboardConfig loaded = TestSetup.load(config, Map.of());
    String workerIds = loaded.workerSettings().transactionalIdPrefix() + "-";

    // Found before the broker goes: listing transactions asks every broker, describing one only its
    // coordinator.
    String[] transactionalId = new String[1];
    survivesOutage(
        prefix,
        config,
        loaded,
        new Target(
            "coordinator of the worker's transactions",
            () -> {
              List<String> ids = cluster.transactionalIds(workerIds);
              assertThat(ids).as("the worker's transactional ids").hasSize(1);
              transactionalId[0] = ids.get(0);
              return cluster.transactionCoordinatorOf(transactionalId[0]);
            },
            broker -> cluster.transactionCoordinatorOf(transactionalId[0]) != broker));
  }

  @Test
  @Timeout(120)
  void topicsCommandCreatesTopicsWithThreeReplicasNeedingTwoInSyncAndWarnsOfNothing()
      throws Exception {
    Path config = config("ctopics");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));

    int code = cli.execute("topics", "--config", config.toString());

    assertThat(code).as(err.toString()).isZero();
    List<String> planned =
        TopicProvisioner.plan(TestSetup.load(config, Map.of())).stream()
            .map(NewTopic::name)
            .toList();
    assertThat(out.toString())
        .contains("Replication (replicas, min.insync.replicas, partitions out of sync):")
        .doesNotContain("Warning");
    assertThat(planned)
        .allSatisfy(
            topic ->
                assertThat(out.toString())
                    .containsPattern(java.util.regex.Pattern.quote(topic) + " +3, 2, 0"));
  }

  /**
   * Which broker a scenario takes away, and what must have left it while it is away.
   *
   * @param role what the broker holds, for the report
   * @param choose the broker to take away, asserting what makes it the one
   * @param movedAway whether what the broker held has moved to the others
   */
  private record Target(String role, Choice choose, Check movedAway) {}

  private interface Choice {
    int broker() throws InterruptedException;
  }

  private interface Check {
    boolean holds(int broker) throws InterruptedException;
  }

  /**
   * Starts router and worker, sends requests at a steady rate, takes the target broker away once
   * {@link #AROUND} are sent, starts it again, sends {@link #AROUND} more, then checks that every
   * request has exactly one reply, all OK, and that the broker has caught up.
   */
  private void survivesOutage(String prefix, Path config, SwitchboardConfig loaded, Target target)
      throws Exception {
    children.add(TestSetup.router(prefix + "-router", config, dir, Map.of()));
    children.add(TestSetup.worker(prefix + "-worker", config, dir, Map.of()));
    Traffic.awaitGroup(
        kafka(),
        loaded.routerSettings().applicationId(),
        1,
        Duration.ofSeconds(120),
        () -> TestSetup.tails(children));
    Traffic.awaitGroup(
        kafka(),
        loaded.workerSettings().groupId(),
        1,
        Duration.ofSeconds(120),
        () -> TestSetup.tails(children));

    List<String> ids;
    int broker;
    int sentWhileAway;
    long outageMillis;
    try (Load load =
        new Load(
            kafka(), loaded.topics().requests(), prefix, "chat", RATE, 3 * AROUND + 40 * RATE)) {
      load.awaitSent(AROUND);
      broker = target.choose().broker();
      KafkaNode node = cluster.broker(broker);
      long start = System.nanoTime();
      int atStop = load.sentCount();
      if (SOAK) {
        node.kill();
      } else {
        node.stop();
      }
      awaitTrue(
          () -> target.movedAway().holds(broker),
          Duration.ofSeconds(60),
          "broker " + broker + " is still " + target.role() + " 60 s after it went away");
      node.restart();
      outageMillis = (System.nanoTime() - start) / 1_000_000;
      int back = load.sentCount();
      sentWhileAway = back - atStop;
      load.awaitSent(back + AROUND);
      ids = load.stop();
    }
    Replies replies =
        Traffic.collect(
            kafka(),
            loaded.topics().replies(),
            ids,
            Duration.ofSeconds(SOAK ? 300 : 120),
            Duration.ofSeconds(3));
    Map<String, Long> repeated = Traffic.repeatedCalls(mock.calls(), prefix + "-");
    String what =
        "broker "
            + broker
            + ", "
            + target.role()
            + ", "
            + (SOAK ? "killed" : "stopped")
            + " and started again under load ("
            + sentWhileAway
            + " requests sent in its "
            + outageMillis
            + " ms away)";
    Traffic.report(
        what,
        ids.size(),
        replies,
        repeated,
        mock.calls().stream()
            .filter(c -> c.requestId() != null && c.requestId().startsWith(prefix + "-"))
            .count());

    assertThat(sentWhileAway).as("requests sent while the broker was away").isPositive();
    assertThat(children)
        .as("router and worker survive the outage\n%s", TestSetup.tails(children))
        .allMatch(ChildJvm::isAlive);
    assertThat(replies.missing(ids))
        .as("requests without a reply\n%s", TestSetup.tails(children))
        .isEmpty();
    assertThat(replies.duplicated()).as("requests with more than one reply").isEmpty();
    assertThat(replies.last().values())
        .allSatisfy(r -> assertThat(r.status()).isEqualTo(ReplyStatus.OK));
    cluster.awaitInSync(Duration.ofSeconds(60));
  }

  /**
   * Creates {@code topics} as the router would, but with {@code leader} the preferred (first)
   * replica of every partition; the router creates the others when it starts.
   */
  private static void createTopicsLedBy(SwitchboardConfig config, int leader, List<String> topics)
      throws Exception {
    List<Integer> others =
        KafkaClusterProcess.BROKER_IDS.stream().filter(id -> id != leader).toList();
    List<NewTopic> led =
        TopicProvisioner.plan(config).stream()
            .filter(t -> topics.contains(t.name()))
            .map(
                t -> {
                  Map<Integer, List<Integer>> assignment = new HashMap<>();
                  IntStream.range(0, t.numPartitions())
                      .forEach(
                          p ->
                              assignment.put(
                                  p, List.of(leader, others.get(p % 2), others.get((p + 1) % 2))));
                  return new NewTopic(t.name(), assignment).configs(t.configs());
                })
            .toList();
    assertThat(led).hasSameSizeAs(topics);
    try (Admin admin = Admin.create(new HashMap<String, Object>(kafka()))) {
      admin.createTopics(led).all().get();
      TopicProvisioner.awaitLeaders(admin, topics);
    }
  }

  /**
   * Polls {@code condition} (an exception counts as not yet) until it holds, or fails with {@code
   * message}.
   */
  private static void awaitTrue(Callable<Boolean> condition, Duration timeout, String message)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < end) {
      try {
        if (condition.call()) {
          return;
        }
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(message + (last == null ? "" : " (last error: " + last + ")"));
  }

  private static Map<String, String> kafka() {
    Map<String, String> k = new HashMap<>(TestSetup.FAST_FAILOVER);
    // The default 60 s: the transactions open while a broker goes away must not time out.
    k.remove("transaction.timeout.ms");
    k.put("bootstrap.servers", cluster.bootstrapServers());
    return k;
  }

  private Path config(String prefix) throws Exception {
    return TestSetup.writeConfig(
        dir,
        prefix,
        List.of(
            new Deployment("chat", prefix + "-a", mock.baseUrl(prefix + "-a") + "/v1", null),
            new Deployment("chat", prefix + "-b", mock.baseUrl(prefix + "-b") + "/v1", null)),
        kafka(),
        null,
        3);
  }
}
