package io.switchboard.schemas.topics;

import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.TopicsConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics a config needs, and checks existing ones: the dispatch topic must have at
 * least as many partitions as the lane plan.
 */
public final class TopicProvisioner {
  private TopicProvisioner() {}

  /**
   * Waits until every partition of {@code topics} has a leader that serves it, so that clients
   * started right after (a global store's consumer among them) find their partitions.
   *
   * <p>A leader in the metadata is not enough: the broker may not have opened the partition yet and
   * answers NOT_LEADER_OR_FOLLOWER. An idempotent producer with several requests in flight can then
   * have a later batch written before the earlier one is retried, and the earlier one is refused as
   * out of sequence until its delivery timeout drops it (KAFKA-15591; Kafka 4.3.1 has no fix). So
   * this also asks each partition's leader for its end offset, which succeeds only once the broker
   * serves the partition.
   */
  public static void awaitLeaders(Admin admin, List<String> topics)
      throws InterruptedException, ExecutionException {
    if (topics.isEmpty()) {
      return;
    }
    long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        Map<String, TopicDescription> described =
            admin.describeTopics(topics).allTopicNames().get();
        boolean ready =
            described.values().stream()
                .allMatch(
                    d ->
                        !d.partitions().isEmpty()
                            && d.partitions().stream().allMatch(p -> p.leader() != null));
        if (ready && served(admin, described)) {
          return;
        }
      } catch (ExecutionException e) {
        if (!(e.getCause()
            instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException(
            "topics " + topics + " have no leader that serves them after 30 s");
      }
      Thread.sleep(50);
    }
  }

  /** Whether the leader of every partition answers for it (a retriable error means not yet). */
  private static boolean served(Admin admin, Map<String, TopicDescription> described)
      throws InterruptedException, ExecutionException {
    Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
    described.forEach(
        (name, d) ->
            d.partitions()
                .forEach(
                    p ->
                        partitions.put(
                            new TopicPartition(name, p.partition()), OffsetSpec.latest())));
    try {
      admin.listOffsets(partitions, new ListOffsetsOptions().timeoutMs(2000)).all().get();
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RetriableException) {
        return false;
      }
      throw e;
    }
  }

  /**
   * The topics a config needs, with partitions and settings; the offload jobs topic only when a
   * deployment has a {@code batch_api}.
   */
  public static List<NewTopic> plan(SwitchboardConfig config) {
    TopicsConfig t = config.topics();
    short rf = t.replicationFactor();
    int lanes = LanePlan.of(config).partitions();
    List<NewTopic> topics = new ArrayList<>();
    topics.add(new NewTopic(t.requests(), t.requestPartitions(), rf));
    topics.add(new NewTopic(t.dispatch(), lanes, rf));
    topics.add(new NewTopic(t.fallbacks(), t.requestPartitions(), rf));
    topics.add(new NewTopic(t.replies(), t.requestPartitions(), rf));
    topics.add(new NewTopic(t.metrics(), t.requestPartitions(), rf));
    topics.add(
        new NewTopic(t.health(), 1, rf)
            .configs(
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
    topics.add(new NewTopic(t.deadLetter(), 1, rf));
    // Offload jobs, only when a deployment has a batch API: the latest record of each job is its
    // state, a tombstone its end.
    if (config.modelList().stream().anyMatch(d -> d.batchApi() != null)) {
      topics.add(
          new NewTopic(t.offloadJobs(), t.requestPartitions(), rf)
              .configs(
                  Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
    }
    // One partition: the versions are one history, read from the start by every process.
    topics.add(
        new NewTopic(t.config(), 1, rf)
            .configs(
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
    // Summaries: the latest record of each key is its value; windows age out after a week.
    topics.add(
        new NewTopic(t.summaries(), 1, rf)
            .configs(
                Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG,
                    String.valueOf(java.time.Duration.ofDays(7).toMillis()))));
    return topics;
  }

  /**
   * Creates every missing topic and checks the sizes that routing depends on: the dispatch topic
   * must hold the lane plan, and the requests and fallbacks topics must have exactly {@code
   * topics.request_partitions} partitions (each router task owns that share of every deployment's
   * budget, so more partitions would hand out more than the budget). Safe to run from several
   * processes at once: a topic another process just created is waited for.
   *
   * @return the names of the topics created now
   * @throws IllegalStateException when an existing topic does not match the config
   */
  public static List<String> ensure(Admin admin, SwitchboardConfig config)
      throws InterruptedException {
    return ensure(admin, config, false);
  }

  /**
   * {@link #ensure(Admin, SwitchboardConfig)}; with {@code growDispatch}, a dispatch topic smaller
   * than the lane plan is given the partitions it lacks instead of refused (dispatches name their
   * partition by the plan, never by a key hash, so added partitions move no existing traffic).
   */
  public static List<String> ensure(Admin admin, SwitchboardConfig config, boolean growDispatch)
      throws InterruptedException {
    List<NewTopic> wanted = plan(config);
    try {
      Set<String> existing = new HashSet<>(admin.listTopics().names().get());
      List<NewTopic> missing = wanted.stream().filter(n -> !existing.contains(n.name())).toList();
      List<String> created = new ArrayList<>();
      for (NewTopic topic : missing) {
        try {
          admin.createTopics(List.of(topic)).all().get();
          created.add(topic.name());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      // Every topic, not only those created here: one created by another process at the same
      // moment may not be in this broker's metadata yet.
      awaitLeaders(admin, wanted.stream().map(NewTopic::name).toList());
      TopicsConfig t = config.topics();
      Map<String, TopicDescription> described =
          admin
              .describeTopics(List.of(t.dispatch(), t.requests(), t.fallbacks()))
              .allTopicNames()
              .get();
      int lanes = LanePlan.of(config).partitions();
      int dispatchPartitions = described.get(t.dispatch()).partitions().size();
      if (dispatchPartitions < lanes && growDispatch) {
        admin.createPartitions(Map.of(t.dispatch(), NewPartitions.increaseTo(lanes))).all().get();
        awaitLeaders(admin, List.of(t.dispatch()));
      } else if (dispatchPartitions < lanes) {
        throw new IllegalStateException(
            "topic '"
                + t.dispatch()
                + "' has "
                + dispatchPartitions
                + " partitions but the lane plan needs "
                + lanes
                + "; run `switchboard topics` with this config to add them");
      }
      for (String topic : List.of(t.requests(), t.fallbacks())) {
        int partitions = described.get(topic).partitions().size();
        if (partitions != t.requestPartitions()) {
          throw new IllegalStateException(
              "topic '"
                  + topic
                  + "' has "
                  + partitions
                  + " partitions but topics.request_partitions is "
                  + t.requestPartitions()
                  + "; set topics.request_partitions to "
                  + partitions
                  + " (each router task owns 1/request_partitions of every deployment's rpm and tpm)");
        }
      }
      return created;
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot create or check topics: " + e.getCause().getMessage(), e.getCause());
    }
  }
}
