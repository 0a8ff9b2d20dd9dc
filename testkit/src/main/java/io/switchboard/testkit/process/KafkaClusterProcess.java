package io.switchboard.testkit.process;

import io.switchboard.testkit.kafka.BrokerSettings;
import io.switchboard.testkit.kafka.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * A three-broker Kafka cluster in child JVMs: one KRaft controller and brokers 1, 2 and 3, each a
 * {@link KafkaNode} on ports chosen beforehand, all on 127.0.0.1. Every topic, the internal ones
 * (consumer offsets, transaction state) included, has replication factor 3 and {@code
 * min.insync.replicas=2} unless created otherwise, as on a production cluster: with one broker
 * down, every write with {@code acks=all} still succeeds.
 *
 * <p>A broker can be stopped (it hands its leaderships over first), killed (the controller notices
 * when its session times out, {@code broker.session.timeout.ms}) and started again on the same
 * ports and data, while the other two serve. The controller runs alone, so stopping a broker never
 * touches the metadata quorum. {@link #leaders} and {@link #transactionCoordinatorOf} say which
 * broker to stop; {@link #awaitInSync} waits until a broker that came back has caught up.
 */
public final class KafkaClusterProcess implements KafkaBroker {
  /** The broker ids, 1 to 3; the controller's is 0. */
  public static final List<Integer> BROKER_IDS = List.of(1, 2, 3);

  private static final int CONTROLLER_ID = 0;

  private final Path dir;
  private final KafkaNode controller;
  private final Map<Integer, KafkaNode> brokers;
  private Admin admin;
  private boolean closed;

  private KafkaClusterProcess(Path dir, KafkaNode controller, Map<Integer, KafkaNode> brokers) {
    this.dir = dir;
    this.controller = controller;
    this.brokers = brokers;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Formats and starts a cluster with the default settings ({@link #clusterDefaults()}). */
  public static KafkaClusterProcess start() throws InterruptedException {
    return builder().start();
  }

  /**
   * Replication factor 3 and {@code min.insync.replicas=2} for every topic created without its own
   * (Kafka Streams' internal topics among them) and for the internal topics, with the test settings
   * of {@link BrokerSettings#replicated(int, int)}.
   */
  public static Map<String, String> clusterDefaults() {
    return BrokerSettings.replicated(3, 2);
  }

  /** Every broker's address, comma-separated. */
  @Override
  public String bootstrapServers() {
    return brokers.values().stream()
        .map(b -> "127.0.0.1:" + b.port())
        .collect(Collectors.joining(","));
  }

  @Override
  public String describe() {
    return "Kafka cluster of "
        + brokers.size()
        + " broker processes at "
        + bootstrapServers()
        + " and a controller";
  }

  /** Broker {@code id} (one of {@link #BROKER_IDS}). */
  public KafkaNode broker(int id) {
    KafkaNode broker = brokers.get(id);
    if (broker == null) {
      throw new IllegalArgumentException(
          "no broker " + id + "; the brokers are " + brokers.keySet());
    }
    return broker;
  }

  /** The KRaft controller. */
  public KafkaNode controller() {
    return controller;
  }

  /**
   * The id of the broker that leads each partition of {@code topic} now, by partition; -1 for none.
   */
  public Map<Integer, Integer> leaders(String topic) throws InterruptedException {
    return call(
        admin ->
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(10, TimeUnit.SECONDS)
                .get(topic)
                .partitions()
                .stream()
                .collect(
                    Collectors.toMap(
                        TopicPartitionInfo::partition,
                        p -> p.leader() == null ? -1 : p.leader().id(),
                        (a, b) -> a,
                        TreeMap::new)));
  }

  /**
   * The id of the broker that coordinates the transactions of {@code transactionalId} now: the
   * leader of its partition of the transaction state topic.
   */
  public int transactionCoordinatorOf(String transactionalId) throws InterruptedException {
    return call(
        admin ->
            admin
                .describeTransactions(List.of(transactionalId))
                .description(transactionalId)
                .get(10, TimeUnit.SECONDS)
                .coordinatorId());
  }

  /**
   * The transactional ids the cluster knows that start with {@code prefix}. Every broker is asked,
   * so all must run; one just started again may fail the first questions, which are asked again for
   * up to 30 s.
   */
  public List<String> transactionalIds(String prefix) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return call(
            admin ->
                admin.listTransactions().all().get(10, TimeUnit.SECONDS).stream()
                    .map(TransactionListing::transactionalId)
                    .filter(id -> id.startsWith(prefix))
                    .sorted()
                    .toList());
      } catch (IllegalStateException e) {
        if (System.nanoTime() > end) {
          throw e;
        }
        Thread.sleep(250);
      }
    }
  }

  /**
   * Waits until every partition of every topic (internal ones included) has all its replicas in
   * sync: a broker started again has caught up with what was written while it was away.
   *
   * @throws IllegalStateException naming the partitions still short of replicas after {@code
   *     timeout}
   */
  public void awaitInSync(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    Map<String, String> behind = Map.of();
    while (System.nanoTime() < end) {
      try {
        behind = call(KafkaClusterProcess::partitionsShortOfReplicas);
      } catch (IllegalStateException e) {
        // A broker just back may not know every topic yet; ask again.
        behind = Map.of("(no answer)", e.getMessage());
      }
      if (behind.isEmpty()) {
        return;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        "partitions not fully in sync after " + timeout + ": " + behind);
  }

  /** Each partition with fewer replicas in sync than assigned, and which those are. */
  private static Map<String, String> partitionsShortOfReplicas(Admin admin)
      throws InterruptedException, ExecutionException, TimeoutException {
    Set<String> names =
        admin
            .listTopics(new ListTopicsOptions().listInternal(true))
            .names()
            .get(10, TimeUnit.SECONDS);
    Map<String, String> missing = new TreeMap<>();
    for (TopicDescription d :
        admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
      for (TopicPartitionInfo p : d.partitions()) {
        if (p.isr().size() < p.replicas().size()) {
          missing.put(
              d.name() + "-" + p.partition(),
              "in sync " + ids(p.isr()) + " of " + ids(p.replicas()));
        }
      }
    }
    return missing;
  }

  private static List<Integer> ids(Collection<Node> nodes) {
    return nodes.stream().map(Node::id).sorted().toList();
  }

  /**
   * An admin request against the brokers; a failure (a broker away, a timeout) is an
   * IllegalStateException.
   */
  private synchronized <T> T call(AdminCall<T> request) throws InterruptedException {
    if (admin == null) {
      Map<String, Object> p = new HashMap<>(clientProperties());
      p.put("request.timeout.ms", "5000");
      p.put("default.api.timeout.ms", "10000");
      admin = Admin.create(p);
    }
    try {
      return request.apply(admin);
    } catch (ExecutionException | TimeoutException e) {
      // The next request starts afresh, without what this client remembers of brokers that went
      // away.
      admin.close(Duration.ZERO);
      admin = null;
      throw new IllegalStateException(
          "admin request to " + bootstrapServers() + " failed: " + e, e);
    }
  }

  private interface AdminCall<T> {
    T apply(Admin admin) throws InterruptedException, ExecutionException, TimeoutException;
  }

  /** Kills every node that still runs and deletes their directories. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
    brokers.values().forEach(KafkaNode::close);
    controller.close();
    Directories.delete(dir);
  }

  /**
   * Builds a {@link KafkaClusterProcess}; its properties apply to every node (the controller reads
   * some, such as {@code broker.session.timeout.ms}). The brokers' JVMs run with {@code -Xms128m
   * -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1} unless {@link #heapAndGc} says otherwise.
   */
  public static final class Builder extends KafkaNodeOptions<Builder> {
    /** Starts within 120 s by default, a broker's start again included. */
    private Builder() {
      super(Duration.ofSeconds(120));
      // C1 only: the brokers start (and start again) sooner, and a test's load needs no peak speed.
      heapAndGc("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    }

    /**
     * Chooses ports, writes the properties, formats every node and starts them; returns once every
     * broker answers.
     */
    public KafkaClusterProcess start() throws InterruptedException {
      Path dir = Directories.create("switchboard-kafka-cluster-");
      List<Integer> ports = FreePorts.distinct(BROKER_IDS.size() + 1);
      String voters = CONTROLLER_ID + "@127.0.0.1:" + ports.get(0);
      Properties controllerProps = common(voters);
      controllerProps.put("process.roles", "controller");
      controllerProps.put("listeners", "CONTROLLER://127.0.0.1:" + ports.get(0));
      controllerProps.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT");
      KafkaNode controller =
          KafkaNode.write(
              "kafka-controller",
              CONTROLLER_ID,
              dir.resolve("controller"),
              controllerProps,
              ports.get(0),
              null,
              startTimeout,
              logLevel,
              List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC"));
      Map<Integer, KafkaNode> brokers = new TreeMap<>();
      for (int i = 0; i < BROKER_IDS.size(); i++) {
        int id = BROKER_IDS.get(i);
        String address = "127.0.0.1:" + ports.get(i + 1);
        Properties props = common(voters);
        props.put("process.roles", "broker");
        props.put("listeners", "BROKER://" + address);
        props.put("advertised.listeners", "BROKER://" + address);
        props.put("listener.security.protocol.map", "BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "BROKER");
        brokers.put(
            id,
            KafkaNode.write(
                "kafka-broker-" + id,
                id,
                dir.resolve("broker-" + id),
                props,
                ports.get(i + 1),
                Map.of("bootstrap.servers", address),
                startTimeout,
                logLevel,
                heapAndGc));
      }
      KafkaClusterProcess cluster = new KafkaClusterProcess(dir, controller, brokers);
      try {
        List<KafkaNode> all = new ArrayList<>(List.of(controller));
        all.addAll(brokers.values());
        KafkaNode.format(all, Uuid.randomUuid().toString(), startTimeout);
        // All at once: a broker waits for the controller by itself, and the starts overlap.
        all.forEach(KafkaNode::launch);
        for (KafkaNode node : all) {
          node.awaitReady();
        }
        return cluster;
      } catch (RuntimeException | InterruptedException e) {
        cluster.close();
        throw e;
      }
    }

    /** The static quorum (the controller alone), the cluster's settings and the overrides. */
    private Properties common(String voters) {
      Properties p = new Properties();
      p.putAll(clusterDefaults());
      p.putAll(overrides);
      p.put("controller.quorum.voters", voters);
      p.put("controller.listener.names", "CONTROLLER");
      return p;
    }
  }
}
