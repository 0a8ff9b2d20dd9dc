package io.switchboard.sandbox.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.sandbox.bench.RawKafkaBaseline.Guarantee;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The baseline on a real broker: exactly-once goes through transactions, at-least-once through
 * none.
 */
class RawKafkaBaselineIT {
  static final int RECORDS = 500;
  static KafkaBroker broker;
  static Admin admin;

  @BeforeAll
  static void start() {
    broker = KafkaBrokers.start();
    admin = Admin.create(new HashMap<String, Object>(broker.clientProperties()));
  }

  @AfterAll
  static void stop() {
    if (admin != null) {
      admin.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  static List<TransactionListing> baselineTransactions() throws Exception {
    return admin.listTransactions().all().get().stream()
        .filter(t -> t.transactionalId().startsWith("bench.baseline."))
        .toList();
  }

  @Test
  @Timeout(120)
  void exactlyOnceCommitsTransactionsOfBothForwardingHopsWithTheirOffsets() throws Exception {
    Set<String> before =
        baselineTransactions().stream()
            .map(TransactionListing::transactionalId)
            .collect(Collectors.toSet());
    RawKafkaBaseline.Result r =
        RawKafkaBaseline.run(
            broker.clientProperties(), RECORDS, new byte[200], 2, Guarantee.EXACTLY_ONCE);
    assertThat(r.complete()).isTrue();
    assertThat(r.recordsPerSecond()).isPositive();

    List<TransactionListing> run =
        baselineTransactions().stream().filter(t -> !before.contains(t.transactionalId())).toList();
    assertThat(run)
        .extracting(t -> t.transactionalId().substring(t.transactionalId().lastIndexOf('.')))
        .containsExactlyInAnyOrder(".hop-1", ".hop-2");
    assertThat(run)
        .extracting(TransactionListing::state)
        .doesNotContain(
            TransactionState.ONGOING,
            TransactionState.PREPARE_ABORT,
            TransactionState.COMPLETE_ABORT);

    String first =
        run.stream()
            .map(TransactionListing::transactionalId)
            .filter(id -> id.endsWith(".hop-1"))
            .findFirst()
            .orElseThrow();
    String prefix = first.substring(0, first.length() - ".hop-1".length());
    for (String group : List.of(prefix + ".1.group", prefix + ".2.group")) {
      long committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get()
              .values()
              .stream()
              .mapToLong(OffsetAndMetadata::offset)
              .sum();
      assertThat(committed).as("offsets committed by " + group).isGreaterThanOrEqualTo(RECORDS);
    }
  }

  @Test
  @Timeout(120)
  void atLeastOnceUsesNoTransactions() throws Exception {
    Set<String> before =
        baselineTransactions().stream()
            .map(TransactionListing::transactionalId)
            .collect(Collectors.toSet());
    RawKafkaBaseline.Result r =
        RawKafkaBaseline.run(
            broker.clientProperties(), RECORDS, new byte[200], 2, Guarantee.AT_LEAST_ONCE);
    assertThat(r.complete()).isTrue();
    assertThat(r.recordsPerSecond()).isPositive();
    assertThat(baselineTransactions())
        .extracting(TransactionListing::transactionalId)
        .isSubsetOf(before);
  }
}
