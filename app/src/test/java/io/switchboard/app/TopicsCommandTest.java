package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.app.TopicsCommand.Replication;
import org.junit.jupiter.api.Test;

/** The replication warnings of {@code switchboard topics}, one rule at a time. */
class TopicsCommandTest {
  @Test
  void threeReplicasNeedingTwoInSyncAreWhatProductionNeeds() {
    assertThat(new Replication("switchboard.requests", 3, 2, 0).warnings()).isEmpty();
    assertThat(new Replication("switchboard.requests", 5, 3, 0).warnings()).isEmpty();
  }

  @Test
  void aSingleReplicaIsOneWarningNamingTheSetting() {
    assertThat(new Replication("switchboard.requests", 1, 1, 0).warnings())
        .singleElement()
        .asString()
        .startsWith("switchboard.requests has 1 replica(s)")
        .contains("production needs 3", "topics.replication_factor");
    assertThat(new Replication("__consumer_offsets", 1, 1, 0).warnings())
        .singleElement()
        .asString()
        .contains("offsets.topic.replication.factor");
    assertThat(new Replication("__transaction_state", 1, 1, 0).warnings())
        .singleElement()
        .asString()
        .contains("transaction.state.log.replication.factor");
  }

  @Test
  void oneReplicaInSyncLosesAcknowledgedWrites() {
    assertThat(new Replication("switchboard.replies", 3, 1, 0).warnings())
        .singleElement()
        .asString()
        .startsWith("switchboard.replies has min.insync.replicas=1")
        .contains("set 2", "min.insync.replicas on the brokers");
    assertThat(new Replication("__transaction_state", 3, 1, 0).warnings())
        .singleElement()
        .asString()
        .contains("transaction.state.log.min.isr");
  }

  @Test
  void asManyInSyncAsReplicasStopsWritesWithOneBrokerDown() {
    assertThat(new Replication("switchboard.dispatch", 3, 3, 0).warnings())
        .singleElement()
        .asString()
        .contains("min.insync.replicas=3 with 3 replicas: one broker down stops every write");
    assertThat(new Replication("switchboard.dispatch", 2, 2, 0).warnings()).hasSize(2);
  }

  @Test
  void replicasOutOfSyncAreReported() {
    assertThat(new Replication("switchboard.dispatch", 3, 2, 4).warnings())
        .singleElement()
        .asString()
        .contains("4 partition(s) with a replica out of sync");
  }
}
