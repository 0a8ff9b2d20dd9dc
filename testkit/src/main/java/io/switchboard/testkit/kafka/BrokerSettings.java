package io.switchboard.testkit.kafka;

import java.util.LinkedHashMap;
import java.util.Map;

/** The broker settings of every broker and cluster the test kit starts, in one place. */
public final class BrokerSettings {
  private BrokerSettings() {}

  /**
   * Settings for brokers that replicate each partition {@code replicas} times: topics created
   * without their own settings and the internal topics (consumer offsets, transaction state,
   * share-group state) get {@code replicas} replicas and need {@code minInSync} of them for a write
   * with {@code acks=all}. A single broker needs 1 and 1, or clients hang silently waiting for
   * internal topics that cannot be created. Only production features are enabled. For tests: 5
   * partitions per internal topic instead of 50, no initial rebalance delay, no topic
   * auto-creation, no flush forced by record count.
   */
  public static Map<String, String> replicated(int replicas, int minInSync) {
    String rf = String.valueOf(replicas);
    String isr = String.valueOf(minInSync);
    Map<String, String> p = new LinkedHashMap<>();
    p.put("unstable.api.versions.enable", "false");
    p.put("unstable.feature.versions.enable", "false");
    p.put("default.replication.factor", rf);
    p.put("min.insync.replicas", isr);
    p.put("offsets.topic.replication.factor", rf);
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", rf);
    p.put("transaction.state.log.min.isr", isr);
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.replication.factor", rf);
    p.put("share.coordinator.state.topic.min.isr", isr);
    p.put("share.coordinator.state.topic.num.partitions", "5");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
    return p;
  }
}
