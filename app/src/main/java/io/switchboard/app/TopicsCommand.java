package io.switchboard.app;

import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.topics.LanePlan;
import io.switchboard.schemas.topics.TopicProvisioner;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.internals.Topic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Creates missing topics, grows the dispatch topic to the lane plan, and prints each topic's
 * replication with a warning wherever it falls short of what production needs ({@link
 * Replication#warnings()}).
 */
@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    header = "Creates missing topics and lanes; checks replication.",
    description = {
      "Creates the topics the config needs and gives the dispatch topic the partitions its lanes need.",
      "Prints each topic's replication (the internal offsets and transaction topics too) and warns where it falls",
      "short of production: 3 replicas and min.insync.replicas=2."
    })
final class TopicsCommand implements Callable<Integer> {
  /**
   * Replicas per partition production needs: one broker may fail while another restarts, and
   * nothing is lost.
   */
  static final int PRODUCTION_REPLICAS = 3;

  /**
   * Replicas a write with {@code acks=all} must reach in production: an acknowledged record
   * outlives a broker.
   */
  static final int PRODUCTION_MIN_IN_SYNC = 2;

  @Mixin ConfigOptions options;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    SwitchboardConfig config = options.load();
    PrintWriter out = spec.commandLine().getOut();
    options.awaitCluster(config.kafka());
    try (Admin admin = Admin.create(new HashMap<String, Object>(config.kafka()))) {
      List<String> created = TopicProvisioner.ensure(admin, config, true);
      out.println(
          created.isEmpty() ? "All topics exist." : "Created: " + String.join(", ", created));
      LanePlan plan = LanePlan.of(config);
      out.println(
          "Lanes of " + config.topics().dispatch() + " (" + plan.partitions() + " partitions):");
      config
          .modelList()
          .forEach(
              d -> {
                LanePlan.Lanes l = plan.lanesOf(d.deploymentId());
                out.printf(
                    "  %-24s partitions %d..%d%n",
                    d.deploymentId(), l.first(), l.first() + l.count() - 1);
              });
      printReplication(admin, config, out);
    }
    return 0;
  }

  private static void printReplication(Admin admin, SwitchboardConfig config, PrintWriter out)
      throws InterruptedException {
    List<String> names =
        new ArrayList<>(TopicProvisioner.plan(config).stream().map(NewTopic::name).toList());
    List<Replication> replication;
    try {
      Set<String> existing =
          admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
      // The brokers create these on first use, with their own settings rather than the config's.
      List.of(Topic.GROUP_METADATA_TOPIC_NAME, Topic.TRANSACTION_STATE_TOPIC_NAME).stream()
          .filter(existing::contains)
          .forEach(names::add);
      replication = describeWhenKnown(admin, names);
    } catch (ExecutionException e) {
      out.println("Replication: not known (" + e.getCause().getMessage() + ")");
      return;
    }
    out.println("Replication (replicas, min.insync.replicas, partitions out of sync):");
    replication.forEach(
        r ->
            out.printf(
                "  %-32s %d, %d, %d%n",
                r.topic(), r.replicas(), r.minInSync(), r.partitionsOutOfSync()));
    replication.stream()
        .flatMap(r -> r.warnings().stream())
        .forEach(w -> out.println("Warning: " + w));
  }

  /**
   * {@link Replication#describe} once every broker asked knows the topics: a topic just created
   * reaches the brokers one by one, and one that has not seen it yet answers that it does not
   * exist. Asked again for up to 10 s.
   */
  private static List<Replication> describeWhenKnown(Admin admin, List<String> names)
      throws InterruptedException, ExecutionException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return Replication.describe(admin, names);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > end) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  /**
   * One topic's replication as the cluster has it.
   *
   * @param topic the topic
   * @param replicas the fewest replicas of any of its partitions
   * @param minInSync its {@code min.insync.replicas}, its own or the brokers' default
   * @param partitionsOutOfSync how many of its partitions have a replica out of sync now
   */
  record Replication(String topic, int replicas, int minInSync, int partitionsOutOfSync) {
    /** The replication of each of {@code topics}, in that order. */
    static List<Replication> describe(Admin admin, List<String> topics)
        throws InterruptedException, ExecutionException {
      Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get();
      Map<ConfigResource, Config> configs =
          admin
              .describeConfigs(
                  topics.stream()
                      .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                      .toList())
              .all()
              .get();
      return topics.stream()
          .map(
              t -> {
                List<TopicPartitionInfo> partitions = described.get(t).partitions();
                int replicas =
                    partitions.stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
                int outOfSync =
                    (int)
                        partitions.stream()
                            .filter(p -> p.isr().size() < p.replicas().size())
                            .count();
                String minInSync =
                    configs
                        .get(new ConfigResource(ConfigResource.Type.TOPIC, t))
                        .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG)
                        .value();
                return new Replication(t, replicas, Integer.parseInt(minInSync), outOfSync);
              })
          .toList();
    }

    /**
     * What falls short of production, one sentence each:
     *
     * <table>
     *   <caption>Warnings</caption>
     *   <tr><th>when</th><th>why</th></tr>
     *   <tr><td>replicas &lt; 3</td><td>a broker's loss loses records, or stops the topic until it returns</td></tr>
     *   <tr><td>min.insync.replicas &lt; 2 with 2 or more replicas</td><td>a write acknowledged by the leader
     *       alone is lost with it</td></tr>
     *   <tr><td>min.insync.replicas &ge; replicas with 2 or more replicas</td><td>one broker down stops every
     *       write with acks=all, which every Switchboard producer uses</td></tr>
     *   <tr><td>partitions out of sync</td><td>a broker is down or catching up: one more loss stops writes</td></tr>
     * </table>
     */
    List<String> warnings() {
      List<String> w = new ArrayList<>();
      if (replicas < PRODUCTION_REPLICAS) {
        w.add(
            topic
                + " has "
                + replicas
                + " replica(s): a broker's loss loses its records or stops it until the broker"
                + " returns; production needs "
                + PRODUCTION_REPLICAS
                + " ("
                + replicasSetting()
                + ")");
      }
      if (replicas > 1 && minInSync < PRODUCTION_MIN_IN_SYNC) {
        w.add(
            topic
                + " has min.insync.replicas="
                + minInSync
                + ": a write acknowledged by the leader alone is lost"
                + " with it; set "
                + PRODUCTION_MIN_IN_SYNC
                + " ("
                + minInSyncSetting()
                + ")");
      }
      if (replicas > 1 && minInSync >= replicas) {
        w.add(
            topic
                + " has min.insync.replicas="
                + minInSync
                + " with "
                + replicas
                + " replicas: one broker down"
                + " stops every write (acks=all); keep it below the replicas");
      }
      if (partitionsOutOfSync > 0) {
        w.add(
            topic
                + " has "
                + partitionsOutOfSync
                + " partition(s) with a replica out of sync: a broker is down or"
                + " catching up");
      }
      return w;
    }

    private String replicasSetting() {
      return switch (topic) {
        case Topic.GROUP_METADATA_TOPIC_NAME ->
            "offsets.topic.replication.factor on the brokers, before first use";
        case Topic.TRANSACTION_STATE_TOPIC_NAME ->
            "transaction.state.log.replication.factor on the brokers, before first use";
        default ->
            "topics.replication_factor for new topics; kafka-reassign-partitions for this one";
      };
    }

    private String minInSyncSetting() {
      return topic.equals(Topic.TRANSACTION_STATE_TOPIC_NAME)
          ? "transaction.state.log.min.isr on the brokers, before first use"
          : "min.insync.replicas on the brokers, or kafka-configs --alter on the topic";
    }
  }
}
