package io.switchboard.router.internal;

import io.switchboard.router.selection.HealthReports;
import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.json.JsonSerde;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the global health store: per deployment id, the latest report of every worker ({@link
 * HealthReports}), so that the topic's compaction to one record per deployment does not reduce the
 * router's view to the last worker's. A tombstone removes the deployment's reports; an unreadable
 * record is skipped. Kafka Streams replays the topic through this processor when it restores the
 * store, so a restored store has the same form.
 */
public final class HealthUpdater implements Processor<String, byte[], Void, Void> {
  private static final Logger log = LoggerFactory.getLogger(HealthUpdater.class);
  private static final JsonSerde<DeploymentHealth> HEALTH = new JsonSerde<>(DeploymentHealth.class);

  private final Duration keep;
  private KeyValueStore<String, byte[]> store;

  /**
   * @param keep how long a worker's report is kept behind the deployment's newest ({@link
   *     HealthReports#ttl})
   */
  public HealthUpdater(Duration keep) {
    this.keep = keep;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(TopologyNames.HEALTH_STORE);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      store.delete(record.key());
      return;
    }
    DeploymentHealth report;
    try {
      report = HEALTH.deserializer().deserialize(null, record.value());
      if (report == null) {
        throw new IllegalArgumentException("null is not a health record");
      }
    } catch (RuntimeException e) {
      log.warn("health record of '{}' is unreadable and skipped: {}", record.key(), e.getMessage());
      return;
    }
    store.put(record.key(), known(record.key()).with(report, keep).toBytes());
  }

  private HealthReports known(String deploymentId) {
    byte[] bytes = store.get(deploymentId);
    if (bytes == null) {
      return HealthReports.NONE;
    }
    try {
      return HealthReports.fromBytes(bytes);
    } catch (RuntimeException e) {
      log.warn(
          "stored health of '{}' is unreadable and replaced: {}", deploymentId, e.getMessage());
      return HealthReports.NONE;
    }
  }
}
