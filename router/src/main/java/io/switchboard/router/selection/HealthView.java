package io.switchboard.router.selection;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health store as one router task reads it: every worker's latest report per deployment ({@link
 * HealthReports}). The store is read on every request, but an entry changes only when a worker
 * reports, so each entry is decoded once per change.
 */
final class HealthView {
  private static final Logger log = LoggerFactory.getLogger(HealthView.class);

  private final ReadOnlyKeyValueStore<String, byte[]> store;
  private final Map<String, Decoded> decoded = new HashMap<>();

  private record Decoded(byte[] bytes, HealthReports reports) {}

  HealthView(ReadOnlyKeyValueStore<String, byte[]> store) {
    this.store = store;
  }

  /** The reports on a deployment; none when the store has no readable entry for it. */
  HealthReports reports(String deploymentId) {
    byte[] bytes = store.get(deploymentId);
    if (bytes == null) {
      decoded.remove(deploymentId);
      return HealthReports.NONE;
    }
    Decoded last = decoded.get(deploymentId);
    if (last != null && Arrays.equals(last.bytes(), bytes)) {
      return last.reports();
    }
    HealthReports read;
    try {
      read = HealthReports.fromBytes(bytes);
    } catch (RuntimeException e) {
      log.warn("health of '{}' is unreadable and ignored: {}", deploymentId, e.getMessage());
      read = HealthReports.NONE;
    }
    decoded.put(deploymentId, new Decoded(bytes, read));
    return read;
  }
}
