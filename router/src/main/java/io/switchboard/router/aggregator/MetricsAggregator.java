package io.switchboard.router.aggregator;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.switchboard.router.metrics.KafkaStreamsMeters;
import io.switchboard.router.streams.StreamsApps;
import io.switchboard.router.streams.StreamsRun;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.live.ConfigWatcher;
import io.switchboard.schemas.config.live.LiveConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;

/**
 * Runs {@link MetricsTopology} as its own Kafka Streams application ({@code <router
 * application_id>-metrics}) with exactly-once processing, so that summaries count every committed
 * event once. Unreadable input records are logged and skipped: metrics never stop.
 */
public final class MetricsAggregator implements AutoCloseable {
  /** Appended to the router's application id. */
  public static final String APPLICATION_ID_SUFFIX = "-metrics";

  /**
   * How soon replies on a new reply topic are counted. Every batch and every client makes a reply
   * topic of its own while the aggregator runs; its pattern subscription sees a new topic only at
   * the next metadata refresh, by default up to five minutes later, while {@code stats}
   * undercounts. The refresh is one metadata request and, when a new topic matches, one rebalance.
   */
  public static final Duration REPLY_TOPIC_DISCOVERY = Duration.ofSeconds(2);

  private final SwitchboardConfig config;
  private final ConfigWatcher watcher;
  private final KafkaStreams streams;
  private final StreamsRun run;
  private KafkaStreamsMetrics streamsMetrics;

  public MetricsAggregator(SwitchboardConfig config, Clock clock) {
    this.config = config;
    LiveConfig live = new LiveConfig(config);
    this.watcher = new ConfigWatcher(config, live, "metrics");
    this.streams = new KafkaStreams(MetricsTopology.build(live, clock), streamsProperties(config));
    // As its close (Kafka Streams' default) does: it stays in its group until its session expires.
    this.run =
        new StreamsRun(streams, "metrics aggregator", GroupMembershipOperation.REMAIN_IN_GROUP);
  }

  /** The application id of the aggregator for {@code config}. */
  public static String applicationId(SwitchboardConfig config) {
    return config.routerSettings().applicationId() + APPLICATION_ID_SUFFIX;
  }

  /** The Streams properties: config.kafka first, then the settings the aggregator needs. */
  public static Properties streamsProperties(SwitchboardConfig config) {
    Properties p = new Properties();
    p.putAll(config.kafka());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(config));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, StreamsApps.stateDir(config, "switchboard-metrics-"));
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class);
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueProcessingExceptionHandler.class);
    p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    p.putIfAbsent(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.METADATA_MAX_AGE_CONFIG),
        (int) REPLY_TOPIC_DISCOVERY.toMillis());
    p.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 500);
    p.putIfAbsent(StreamsConfig.producerPrefix("linger.ms"), 20);
    return p;
  }

  /** Creates missing topics (the summaries topic among them) and starts. */
  public void start() throws InterruptedException {
    watcher.start(Duration.ofSeconds(30));
    run.start(config);
  }

  /**
   * Binds the Kafka Streams client metrics of this aggregator to {@code registry} ({@link
   * KafkaStreamsMeters}).
   */
  public void bindTo(MeterRegistry registry) {
    streamsMetrics = KafkaStreamsMeters.bind(streams, registry);
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Waits until the aggregator is RUNNING, or throws after {@code timeout}. */
  public void awaitRunning(Duration timeout) throws InterruptedException {
    run.awaitRunning(timeout);
  }

  @Override
  public void close() {
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    watcher.close();
    streams.close(Duration.ofSeconds(30));
    streams.cleanUp();
  }
}
