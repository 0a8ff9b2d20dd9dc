package io.switchboard.testkit.kafka;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (combined KRaft controller and broker) started inside this JVM
 * from the Kafka jars. Only production features are enabled, so clients see what a released broker
 * offers. Settings a single node needs are applied (replication factor 1 for internal topics, no
 * initial rebalance delay).
 */
public final class InProcessKafkaBroker implements KafkaBroker {
  private final KafkaClusterTestKit cluster;
  private final Path dataDir;
  private final AtomicBoolean closed = new AtomicBoolean();

  private InProcessKafkaBroker(KafkaClusterTestKit cluster, Path dataDir) {
    this.cluster = cluster;
    this.dataDir = dataDir;
  }

  /** Starts a broker with the default single-node settings. */
  public static InProcessKafkaBroker start() {
    return start(Map.of());
  }

  /** Starts a broker; {@code overrides} are broker properties applied over the defaults. */
  public static InProcessKafkaBroker start(Map<String, String> overrides) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("switchboard-kafka-");
      MetadataVersion version = MetadataVersion.latestProduction();
      Map<String, Short> features = new HashMap<>();
      for (Feature feature : Feature.PRODUCTION_FEATURES) {
        features.put(feature.featureName(), feature.defaultLevel(version));
      }
      TestKitNodes nodes =
          new TestKitNodes.Builder(BootstrapMetadata.fromVersions(version, features, "switchboard"))
              .setCombined(true)
              .setNumBrokerNodes(1)
              .setNumControllerNodes(1)
              .setBaseDirectory(dir)
              .build();
      KafkaClusterTestKit.Builder builder =
          new KafkaClusterTestKit.Builder(nodes).setDeleteOnClose(true);
      Map<String, String> props = new HashMap<>(singleNodeDefaults());
      props.putAll(overrides);
      props.forEach(builder::setConfigProp);
      KafkaClusterTestKit cluster = builder.build();
      formatQuietly(cluster);
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new InProcessKafkaBroker(cluster, dir);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot start the in-process Kafka broker (data dir " + dir + "): " + e, e);
    }
  }

  /**
   * Formats the storage; the test kit prints its bootstrap metadata to stdout, which is not ours to
   * print.
   */
  private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
    PrintStream stdout = System.out;
    synchronized (System.class) {
      System.setOut(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
      try {
        cluster.format();
      } finally {
        System.setOut(stdout);
      }
    }
  }

  /**
   * The settings a single-node broker needs: {@link BrokerSettings#replicated(int, int)} with 1 and
   * 1.
   */
  public static Map<String, String> singleNodeDefaults() {
    return BrokerSettings.replicated(1, 1);
  }

  @Override
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  @Override
  public String describe() {
    return "in-process KRaft broker (Kafka "
        + AppInfoParser.getVersion()
        + ") at "
        + bootstrapServers();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        cluster.close();
      } catch (Exception e) {
        throw new IllegalStateException(
            "error while stopping the in-process broker in " + dataDir, e);
      }
    }
  }
}
