package io.switchboard.router.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The Kafka Streams client metrics of a router or metrics aggregator (Micrometer's {@link
 * KafkaStreamsMetrics}), in a form every registry accepts.
 *
 * <p>Streams names a state store's metrics the same for every kind of store but tags them by the
 * kind: {@code rocksdb-state-id} for a key-value store, {@code rocksdb-window-state-id} for a
 * window store. Prometheus refuses one name with two sets of label names (it logged a warning per
 * meter and dropped the window store's), so a registry that Streams metrics go to configures {@link
 * #STORE_TAGS} before its first meter: every RocksDB store is then tagged {@value #STORE_TAG};
 * store names are unique within an application, and the thread id tells the router's from the
 * aggregator's. Every Kafka client binding of a process goes to that one registry, so that
 * Micrometer sees a client's meters beside another's (it keeps one set of tags per name).
 *
 * <p>Streams makes metrics as it starts tasks and opens stores; they are looked for every {@link
 * #REFRESH} rather than Micrometer's default minute, so that they appear soon after start.
 */
public final class KafkaStreamsMeters extends KafkaStreamsMetrics {
  /** How often new Streams metrics are looked for. */
  static final Duration REFRESH = Duration.ofSeconds(10);

  /**
   * The tag of every RocksDB store's metrics (dots become underscores in Prometheus: {@code
   * rocksdb_state_id}).
   */
  public static final String STORE_TAG = "rocksdb.state.id";

  private static final Pattern OTHER_STORE_TAGS =
      Pattern.compile("rocksdb\\.(window|session)\\.state\\.id");

  /**
   * Renames the store tag of window and session stores to {@link #STORE_TAG}. Configure it on a
   * registry before its first meter (Micrometer warns about a filter added later).
   */
  public static final MeterFilter STORE_TAGS =
      new MeterFilter() {
        @Override
        public Meter.Id map(Meter.Id id) {
          List<Tag> tags = id.getTags();
          if (tags.stream().noneMatch(t -> OTHER_STORE_TAGS.matcher(t.getKey()).matches())) {
            return id;
          }
          return id.replaceTags(
              tags.stream()
                  .map(
                      t ->
                          OTHER_STORE_TAGS.matcher(t.getKey()).matches()
                              ? Tag.of(STORE_TAG, t.getValue())
                              : t)
                  .toList());
        }
      };

  private final ScheduledExecutorService scheduler;

  private KafkaStreamsMeters(KafkaStreams streams, ScheduledExecutorService scheduler) {
    super(streams, Tags.empty(), scheduler, REFRESH);
    this.scheduler = scheduler;
  }

  /**
   * Binds the client metrics of {@code streams} to {@code target}, which has {@link #STORE_TAGS};
   * close the result before the streams.
   */
  public static KafkaStreamsMeters bind(KafkaStreams streams, MeterRegistry target) {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "switchboard-streams-meters");
              t.setDaemon(true);
              return t;
            });
    KafkaStreamsMeters meters = new KafkaStreamsMeters(streams, scheduler);
    meters.bindTo(target);
    return meters;
  }

  @Override
  public void close() {
    super.close();
    scheduler.shutdownNow();
  }
}
