package io.switchboard.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class KafkaClusterProcessIT {
  static KafkaClusterProcess cluster;

  @BeforeAll
  @Timeout(180)
  static void startCluster() throws InterruptedException {
    // A killed broker's leaderships move once its session times out: seconds, not the default 9.
    cluster =
        KafkaClusterProcess.builder()
            .property("broker.session.timeout.ms", "3000")
            .property("broker.heartbeat.interval.ms", "500")
            .start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Timeout(180)
  void topicsCreatedWithoutSettingsHaveThreeReplicasAndNeedTwoInSync() throws Exception {
    try (Admin admin = Admin.create(props())) {
      admin
          .createTopics(List.of(new NewTopic("defaults", Optional.of(2), Optional.empty())))
          .all()
          .get();
      TopicDescription d = describeWhenKnown(admin, "defaults");
      assertThat(d.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
      Config config =
          admin
              .describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "defaults")))
              .all()
              .get()
              .values()
              .iterator()
              .next();
      assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
    }
    assertThat(cluster.bootstrapServers().split(",")).hasSize(3);
  }

  @Test
  @Timeout(300)
  void transactionsCommitWhileTheLeaderAndTheCoordinatorAreAwayAndNothingIsLost() throws Exception {
    try (Admin admin = Admin.create(props())) {
      admin.createTopics(List.of(new NewTopic("kept", 1, (short) 3))).all().get();
    }
    Map<String, Object> p = props();
    p.put("transactional.id", "kept-tx");
    List<String> written = new ArrayList<>();
    try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      producer.initTransactions();
      commit(producer, "before", written);

      KafkaNode leader = cluster.broker(cluster.leaders("kept").get(0));
      leader.stop();
      commit(producer, "leader stopped", written);
      assertThat(cluster.leaders("kept").get(0)).isNotEqualTo(leader.nodeId()).isPositive();
      leader.restart();
      cluster.awaitInSync(Duration.ofSeconds(60));

      KafkaNode coordinator = cluster.broker(cluster.transactionCoordinatorOf("kept-tx"));
      long pid = coordinator.process().pid();
      coordinator.kill();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      commit(producer, "coordinator killed", written);
      assertThat(cluster.transactionCoordinatorOf("kept-tx")).isNotEqualTo(coordinator.nodeId());
      coordinator.restart();
      cluster.awaitInSync(Duration.ofSeconds(60));
      commit(producer, "after", written);
    }
    assertThat(cluster.transactionalIds("kept-")).containsExactly("kept-tx");
    assertThat(Records.readAll(props(), "kept", written.size())).containsExactlyElementsOf(written);
    // The reader's group and the producer's transactions live in the internal topics: replicated
    // three times too.
    try (Admin admin = Admin.create(props())) {
      Map<String, TopicDescription> internal =
          admin
              .describeTopics(List.of("__consumer_offsets", "__transaction_state"))
              .allTopicNames()
              .get();
      assertThat(internal.values())
          .allSatisfy(
              d ->
                  assertThat(d.partitions())
                      .allSatisfy(part -> assertThat(part.replicas()).hasSize(3)));
    }
  }

  /**
   * The topic's description, once every broker asked knows the topic (a new topic reaches the
   * brokers one by one).
   */
  private static TopicDescription describeWhenKnown(Admin admin, String topic) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > end) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  private static void commit(
      KafkaProducer<String, String> producer, String value, List<String> written) {
    producer.beginTransaction();
    producer.send(new ProducerRecord<>("kept", "k", value));
    producer.commitTransaction();
    written.add(value);
  }

  private static Map<String, Object> props() {
    Map<String, Object> p = new HashMap<>(cluster.clientProperties());
    p.put("delivery.timeout.ms", "60000");
    return p;
  }
}
