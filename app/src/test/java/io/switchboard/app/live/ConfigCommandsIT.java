package io.switchboard.app.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.app.Main;
import io.switchboard.schemas.ConfigVersion;
import io.switchboard.schemas.config.ConfigException;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.TopicsConfig;
import io.switchboard.schemas.config.live.ConfigPublishException;
import io.switchboard.schemas.config.live.ConfigVersions;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.Topic;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code switchboard config apply}, {@code history} and {@code rollback} on the real broker. */
class ConfigCommandsIT {
  static KafkaBroker broker;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    broker = KafkaBrokers.start();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** A config file whose topics are named {@code <name>.*}, and its two deployments' weights. */
  Path file(String name, String weights, String extra) throws Exception {
    String yaml =
        """
        model_list:
          - {model_name: chat, deployment_id: a, api_base: "http://localhost:1/v1", weight: %2$s}
          - {model_name: chat, deployment_id: b, api_base: "http://localhost:1/v1", weight: %3$s}
        %4$s
        topics:
          requests: %1$s.requests
          dispatch: %1$s.dispatch
          fallbacks: %1$s.fallbacks
          replies: %1$s.replies
          metrics: %1$s.metrics
          health: %1$s.health
          dead_letter: %1$s.dead-letter
          summaries: %1$s.summaries
          config: %1$s.config
          request_partitions: 2
        """
            .formatted(name, weights.split(":")[0], weights.split(":")[1], extra);
    Path path = dir.resolve(name + "-" + weights.replace(':', '-') + ".yaml");
    Files.writeString(path, yaml);
    return path;
  }

  String[] with(Path file, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--config", file.toString(), "--bootstrap", broker.bootstrapServers()));
    return all.toArray(String[]::new);
  }

  static Topic<String, ConfigVersion> topic(String name) {
    return new Topics(
            new TopicsConfig(
                null, null, null, null, null, null, null, null, null, null, null, name + ".config"))
        .configVersions();
  }

  List<ConfigVersion> versions(String name) {
    return ConfigVersions.read(
        Map.of("bootstrap.servers", broker.bootstrapServers()),
        topic(name),
        Duration.ofSeconds(30));
  }

  @Test
  @Timeout(180)
  void applyHistoryAndRollbackKeepALinearHistory() throws Exception {
    Path threeToOne = file("cmd", "3:1", "");
    Path oneToThree = file("cmd", "1:3", "");
    assertThat(run(with(threeToOne, "topics")).code()).isZero();

    Run first = run(with(threeToOne, "config", "apply"));
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out())
        .contains("Published config version 1", "a (weight 3.0), b (weight 1.0)");
    Run second = run(with(oneToThree, "config", "apply", "--description", "flip the split"));
    assertThat(second.out()).contains("Published config version 2 (flip the split)");
    Run rollback = run(with(oneToThree, "config", "rollback", "1"));
    assertThat(rollback.code()).as(rollback.err()).isZero();
    assertThat(rollback.out()).contains("Published config version 3 (rollback to version 1)");

    List<ConfigVersion> versions = versions("cmd");
    assertThat(versions).extracting(ConfigVersion::version).containsExactly(1L, 2L, 3L);
    assertThat(versions.get(2).config()).isEqualTo(versions.get(0).config());
    assertThat(versions.get(1).config()).isNotEqualTo(versions.get(0).config());
    assertThat(versions.get(0).config().has("kafka")).as("never the kafka section").isFalse();

    Run stats = run(with(oneToThree, "stats", "--once"));
    assertThat(stats.code()).as(stats.err()).isZero();
    assertThat(stats.out()).contains("Config version 3, published ", "(rollback to version 1)");
    Run statsJson = run(with(oneToThree, "stats", "--once", "--json"));
    assertThat(Json.parse(statsJson.out()).get("config_version").asLong()).isEqualTo(3);

    Run history = run(with(oneToThree, "config", "history"));
    assertThat(history.code()).as(history.err()).isZero();
    assertThat(history.out())
        .containsSubsequence(
            "1  ", "cmd-3-1.yaml", "2  ", "flip the split", "3  ", "rollback to version 1");
  }

  @Test
  @Timeout(180)
  void anInvalidConfigIsRefusedWithTheStartUpErrorAndNothingIsPublished() throws Exception {
    Path valid = file("bad", "1:1", "");
    Path invalid = file("bad", "2:1", "fallbacks: {chat: [nowhere]}");
    assertThat(run(with(valid, "topics")).code()).isZero();
    String startUp = "";
    try {
      new ConfigLoader(k -> null).load(invalid, null);
    } catch (ConfigException e) {
      startUp = e.getMessage();
    }
    assertThat(startUp).contains("nowhere");

    Run refused = run(with(invalid, "config", "apply"));

    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err()).contains(startUp.lines().findFirst().orElseThrow());
    assertThat(versions("bad")).isEmpty();
    Run noSuch = run(with(valid, "config", "rollback", "9"));
    assertThat(noSuch.code()).isEqualTo(2);
    assertThat(noSuch.err()).contains("no version 9 on bad.config (it holds none)");
  }

  @Test
  @Timeout(180)
  void aVersionNeedingMoreDispatchPartitionsIsRefusedUntilTheTopicsCommandAddsThem()
      throws Exception {
    Path small = file("lanes", "1:1", "");
    Path wide = file("lanes", "1:2", "").resolveSibling("wide.yaml");
    Files.writeString(
        wide,
        Files.readString(file("lanes", "1:2", "")).replace("weight: 2}", "weight: 2, lanes: 3}"));
    assertThat(run(with(small, "topics")).code()).isZero();

    Run refused = run(with(wide, "config", "apply"));
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err())
        .contains("its lanes need 4 partitions of 'lanes.dispatch', which has 2")
        .contains("switchboard topics");
    assertThat(versions("lanes")).isEmpty();

    assertThat(run(with(wide, "topics")).code()).isZero();
    Run applied = run(with(wide, "config", "apply"));
    assertThat(applied.code()).as(applied.err()).isZero();
    assertThat(versions("lanes")).as(applied.out()).hasSize(1);
  }

  @Test
  @Timeout(180)
  void concurrentPublishersNeverShareAVersionNumber() throws Exception {
    assertThat(run(with(file("race", "1:1", ""), "topics")).code()).isZero();
    Map<String, String> kafka = Map.of("bootstrap.servers", broker.bootstrapServers());
    ObjectNode body = (ObjectNode) Json.parse("{\"model_list\": [{\"model_name\": \"chat\"}]}");
    ConcurrentLinkedQueue<Long> published = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        runs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 4; i++) {
                    try {
                      published.add(
                          ConfigVersions.publish(
                                  kafka,
                                  topic("race"),
                                  "race",
                                  body,
                                  Clock.systemUTC(),
                                  Duration.ofSeconds(30))
                              .version());
                    } catch (ConfigPublishException e) {
                      refused.add(e.getMessage());
                    }
                  }
                }));
      }
      for (Future<?> f : runs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    List<Long> onTopic = versions("race").stream().map(ConfigVersion::version).toList();
    assertThat(onTopic).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(published);
    assertThat(onTopic)
        .isEqualTo(java.util.stream.LongStream.rangeClosed(1, onTopic.size()).boxed().toList());
    assertThat(refused).allMatch(m -> m.contains("at the same time"));
    assertThat(published.size() + refused.size()).isEqualTo(12);
  }

  /** A transactional producer under its own id, its transaction begun. */
  static KafkaProducer<String, String> openTransaction(String id) {
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    p.put("transactional.id", id);
    KafkaProducer<String, String> producer =
        new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    producer.initTransactions();
    producer.beginTransaction();
    return producer;
  }

  @Test
  @Timeout(120)
  void aCommitWithoutVerdictIsDecidedByReadingTheRecordBack() throws Exception {
    assertThat(run(with(file("verdict", "1:1", ""), "topics")).code()).isZero();
    String name = topic("verdict").name();
    Map<String, String> kafka = Map.of("bootstrap.servers", broker.bootstrapServers());
    Duration timeout = Duration.ofSeconds(30);

    RecordMetadata aborted;
    try (KafkaProducer<String, String> producer = openTransaction("verdict-a")) {
      aborted = producer.send(new ProducerRecord<>(name, "k", "aborted")).get();
      producer.abortTransaction();
    }
    assertThat(ConfigVersions.committed(kafka, partition(aborted), aborted.offset(), timeout))
        .contains(false);

    // Asked while the transaction is still open, the answer waits for its end.
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (KafkaProducer<String, String> producer = openTransaction("verdict-b")) {
      RecordMetadata pending = producer.send(new ProducerRecord<>(name, "k", "pending")).get();
      Future<Optional<Boolean>> verdict =
          pool.submit(
              () -> ConfigVersions.committed(kafka, partition(pending), pending.offset(), timeout));
      Thread.sleep(500);
      producer.commitTransaction();
      assertThat(verdict.get()).contains(true);
    } finally {
      pool.shutdownNow();
    }

    // A transaction that never ends within the wait has no verdict.
    try (KafkaProducer<String, String> producer = openTransaction("verdict-c")) {
      RecordMetadata open = producer.send(new ProducerRecord<>(name, "k", "open")).get();
      assertThat(
              ConfigVersions.committed(
                  kafka, partition(open), open.offset(), Duration.ofMillis(500)))
          .isEmpty();
      producer.abortTransaction();
    }
  }

  static TopicPartition partition(RecordMetadata m) {
    return new TopicPartition(m.topic(), m.partition());
  }
}
