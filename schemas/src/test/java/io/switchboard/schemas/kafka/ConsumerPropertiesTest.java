package io.switchboard.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConsumerPropertiesTest {
  private static final Map<String, String> KAFKA =
      Map.of(
          "bootstrap.servers",
          "b:9092",
          "security.protocol",
          "SASL_SSL",
          "group.id",
          "configured",
          "group.instance.id",
          "router-1",
          "isolation.level",
          "read_uncommitted");

  @Test
  void readsCommittedRecordsWithoutAutoCommitFromTheEarliestOverTheConfiguredProperties() {
    Properties p = ConsumerProperties.readCommitted(KAFKA).toProperties();
    assertThat(p)
        .containsEntry("bootstrap.servers", "b:9092")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("isolation.level", "read_committed")
        .containsEntry("enable.auto.commit", "false")
        .containsEntry("auto.offset.reset", "earliest");
  }

  @Test
  void groupAndOffsetResetAreSetWhenAsked() {
    Properties p =
        ConsumerProperties.readCommitted(KAFKA).group("workers").fromLatest().toProperties();
    assertThat(p).containsEntry("group.id", "workers").containsEntry("auto.offset.reset", "latest");
  }

  @Test
  void withoutGroupDropsTheConfiguredGroupAndStaticMembership() {
    Properties p = ConsumerProperties.readCommitted(KAFKA).withoutGroup().toProperties();
    assertThat(p).doesNotContainKeys("group.id", "group.instance.id");
  }

  @Test
  void defaultToKeepsAConfiguredValueAndSetOverridesIt() {
    Properties p =
        ConsumerProperties.readCommitted(Map.of("max.poll.records", "50"))
            .defaultTo("max.poll.records", "500")
            .defaultTo("client.id", "reader")
            .set("fetch.min.bytes", "1")
            .toProperties();
    assertThat(p)
        .containsEntry("max.poll.records", "50")
        .containsEntry("client.id", "reader")
        .containsEntry("fetch.min.bytes", "1");
  }
}
