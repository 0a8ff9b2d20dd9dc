package io.switchboard.router;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.switchboard.router.metrics.RouterMetrics;
import io.switchboard.router.streams.StreamsApps;
import io.switchboard.router.streams.StreamsRun;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.live.ConfigWatcher;
import io.switchboard.schemas.config.live.LiveConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router process: runs {@link RouterTopology} with exactly-once processing. Records that make
 * the topology fail unexpectedly go to the dead-letter topic and processing goes on. It routes by
 * the live configuration: the newest version on the config topic that applies, read before it
 * starts and watched while it runs ({@link ConfigWatcher}), else its start-up config.
 */
public final class Router implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Router.class);

  private final SwitchboardConfig config;
  private final LiveConfig live;
  private final ConfigWatcher watcher;
  private final KafkaStreams streams;
  private final StreamsRun run;
  private final String stateDir;
  private KafkaStreamsMetrics streamsMetrics;

  /**
   * A router for {@code config}, not started yet.
   *
   * @param clock the time for deadlines, budget minutes and cooldowns
   */
  public Router(SwitchboardConfig config, Clock clock) {
    this(config, clock, null);
  }

  /**
   * A router whose decisions and Kafka Streams client metrics are registered in {@code registry}.
   *
   * @param registry where the meters go, or null for none
   */
  public Router(SwitchboardConfig config, Clock clock, MeterRegistry registry) {
    this.config = config;
    Properties properties = streamsProperties(config);
    this.stateDir = properties.getProperty(StreamsConfig.STATE_DIR_CONFIG);
    this.live = new LiveConfig(config);
    this.watcher = new ConfigWatcher(config, live, "router");
    RouterMetrics metrics = new RouterMetrics(live);
    this.streams = new KafkaStreams(RouterTopology.build(live, clock, metrics), properties);
    this.run = new StreamsRun(streams, "router", membershipOnClose(config));
    if (registry != null) {
      metrics.bindTo(registry);
      this.streamsMetrics = RouterMetrics.bindStreams(streams, registry);
    }
  }

  /** The Streams properties: config.kafka first, then the settings the router needs. */
  public static Properties streamsProperties(SwitchboardConfig config) {
    Properties p = new Properties();
    p.putAll(config.kafka());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.routerSettings().applicationId());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, StreamsApps.stateDir(config, "switchboard-router-"));
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueProcessingExceptionHandler.class);
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, config.topics().deadLetter());
    p.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    // A task reads a partition of the requests and of the fallbacks topic, whose records are
    // independent: there is nothing to order by time between them, so a task never waits for an
    // empty partition. (With the default, 0, Streams also formats a log line per record processed
    // while the fallbacks partition is empty: 8% of the stream thread in a profile.)
    p.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    p.putIfAbsent(StreamsConfig.producerPrefix("linger.ms"), 5);
    return p;
  }

  /** Whether the config gives the router's consumers a static member id. */
  static boolean staticMember(SwitchboardConfig config) {
    return Stream.of("", StreamsConfig.MAIN_CONSUMER_PREFIX, StreamsConfig.CONSUMER_PREFIX)
        .anyMatch(
            prefix -> config.kafka().get(prefix + ConsumerConfig.GROUP_INSTANCE_ID_CONFIG) != null);
  }

  /**
   * What a close does with the router's consumer group: leave it, unless the config gives the
   * consumers a static member id.
   */
  private static GroupMembershipOperation membershipOnClose(SwitchboardConfig config) {
    return staticMember(config)
        ? GroupMembershipOperation.REMAIN_IN_GROUP
        : GroupMembershipOperation.LEAVE_GROUP;
  }

  /**
   * Creates missing topics, checks the dispatch topic against the lane plan, and starts. A stream
   * thread that fails before the router first ran stops the router ({@link StreamsRun}).
   *
   * @throws IllegalStateException when the dispatch topic is smaller than the lane plan
   */
  public void start() throws InterruptedException {
    watcher.start(CONFIG_READ_TIMEOUT);
    run.start(config);
  }

  /** How long start-up may take to read the config topic before it runs on what it has. */
  private static final Duration CONFIG_READ_TIMEOUT = Duration.ofSeconds(30);

  /** The version of the live configuration in force: 0 for the start-up config. */
  public long configVersion() {
    return live.version();
  }

  /** The Kafka Streams state of this instance. */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /**
   * The router tasks this instance runs now (e.g. {@code 0_3}: partition 3 of the requests and
   * fallbacks topics). Instances with the same application id share the tasks between them.
   */
  public Set<String> activeTasks() {
    Set<String> tasks = new TreeSet<>();
    streams
        .metadataForLocalThreads()
        .forEach(t -> t.activeTasks().forEach(task -> tasks.add(task.taskId().toString())));
    return tasks;
  }

  /**
   * Waits until the router is RUNNING; throws after {@code timeout}, or at once when it stopped
   * before it ran.
   */
  public void awaitRunning(Duration timeout) throws InterruptedException {
    run.awaitRunning(timeout);
  }

  /**
   * Stops the router. It leaves its consumer group, so that the other instances take its tasks over
   * at once instead of after its session times out (its local state is removed below and would be
   * restored from the changelogs anyway); with static membership ({@code group.instance.id} in the
   * {@code kafka:} section) it stays, and a restart within the session gets its tasks back without
   * a rebalance.
   */
  @Override
  public void close() {
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    CloseOptions options =
        CloseOptions.timeout(Duration.ofSeconds(30))
            .withGroupMembershipOperation(membershipOnClose(config));
    watcher.close();
    if (streams.close(options)) {
      streams.cleanUp();
    } else {
      log.warn("router did not stop within 30 s; its local state in {} is left in place", stateDir);
    }
  }
}
