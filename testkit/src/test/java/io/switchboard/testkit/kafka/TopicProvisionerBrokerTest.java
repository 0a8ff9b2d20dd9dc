package io.switchboard.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.topics.TopicProvisioner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class TopicProvisionerBrokerTest {
  static KafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = KafkaBrokers.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  private static SwitchboardConfig config(String prefix) {
    return new ConfigLoader(k -> null)
        .parse(
            """
        model_list:
          - {model_name: a, lanes: 2}
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
          request_partitions: 4
        """
                .formatted(prefix),
            "test");
  }

  @Test
  @Timeout(120)
  void processesStartingTogetherEachFindEveryTopicReady() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 5; round++) {
        SwitchboardConfig config = config("together" + round);
        List<Future<List<String>>> runs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          Callable<List<String>> run =
              () -> {
                try (Admin admin =
                    Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                  return TopicProvisioner.ensure(admin, config);
                }
              };
          runs.add(pool.submit(run));
        }
        List<String> created = new ArrayList<>();
        for (Future<List<String>> f : runs) {
          created.addAll(f.get());
        }
        assertThat(created)
            .as("each topic is created by exactly one of the processes")
            .containsExactlyInAnyOrderElementsOf(
                TopicProvisioner.plan(config).stream().map(NewTopic::name).toList());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @Timeout(120)
  void requestsTopicWithMorePartitionsThanConfiguredIsRefusedByName() throws Exception {
    SwitchboardConfig config = config("bigger");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(config.topics().requests(), 8, (short) 1)))
          .all()
          .get();
      assertThatThrownBy(() -> TopicProvisioner.ensure(admin, config))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("'bigger.requests' has 8 partitions")
          .hasMessageContaining("topics.request_partitions is 4");
    }
  }
}
