package io.switchboard.testkit.process;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The options every builder of Kafka server processes takes: properties over the defaults, the
 * JVM's heap and collector, how long a start may take, the log level.
 *
 * @param <B> the builder, returned by every setter
 */
public abstract class KafkaNodeOptions<B extends KafkaNodeOptions<B>> {
  final Map<String, String> overrides = new LinkedHashMap<>();
  Duration startTimeout;
  String logLevel = "WARN";
  List<String> heapAndGc = List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC");

  KafkaNodeOptions(Duration startTimeout) {
    this.startTimeout = startTimeout;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /** A broker property over the defaults (e.g. {@code group.min.session.timeout.ms}). */
  public B property(String key, String value) {
    overrides.put(
        Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value of " + key));
    return self();
  }

  /**
   * The broker JVM's heap and collector options, replacing the default {@code -Xms128m -Xmx512m
   * -XX:+UseSerialGC} (small, for tests) as a whole: options left out take the JVM's defaults.
   */
  public B heapAndGc(String... options) {
    this.heapAndGc = List.of(options);
    return self();
  }

  /** How long a start may take before it fails. */
  public B startTimeout(Duration timeout) {
    this.startTimeout = Objects.requireNonNull(timeout, "timeout");
    return self();
  }

  /** The root log level of the broker's log (default WARN). */
  public B logLevel(String level) {
    this.logLevel = Objects.requireNonNull(level, "level");
    return self();
  }
}
