package io.switchboard.worker;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.live.ConfigWatcher;
import io.switchboard.schemas.config.live.LiveConfig;
import io.switchboard.schemas.kafka.ConsumerProperties;
import io.switchboard.worker.health.HealthListener;
import io.switchboard.worker.health.HealthTracker;
import io.switchboard.worker.internal.Engine;
import io.switchboard.worker.limits.LimitLearner;
import io.switchboard.worker.metrics.WorkerMetrics;
import io.switchboard.worker.provider.ProviderClients;
import io.switchboard.worker.retry.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The worker process: consumes the lanes of the dispatch topic assigned to it, calls the chosen
 * deployment through the provider adapters, and publishes exactly one outcome per dispatch: a reply
 * (ok, error, expired) or a hand-off to the router on the fallbacks topic.
 *
 * <ul>
 *   <li>Calls are asynchronous: thousands in flight without a thread per call. Each lane has a
 *       window of {@code worker_settings.max_in_flight_per_lane} dispatches and is paced at its
 *       share of the deployment's rpm and tpm; a lane that cannot start more is paused, others
 *       carry on.
 *   <li>Retries follow the deployment's backoff and the provider's {@code Retry-After}, on a timer;
 *       the request's deadline bounds every attempt.
 *   <li>Cooldowns started here are published on the health topic; those of other workers are read
 *       back from it, and a dispatch for a cooling deployment is handed off without a call.
 *   <li>Replies, hand-offs, attempt events, health records and the offset commit (with the finished
 *       offsets above the commit point in its metadata) go in one Kafka transaction, so a new owner
 *       of a partition neither loses nor repeats an outcome.
 *   <li>Partitions given up in a rebalance, or when the worker closes, first finish their calls in
 *       flight (up to {@code worker_settings.shutdown_grace_ms}), so the next owner does not call
 *       the provider again; only a crash makes it.
 *   <li>Deployments, prices, timeouts, retry policies and rate limits follow the live
 *       configuration: the newest version on the config topic that applies, read before the worker
 *       takes dispatches and watched while it runs ({@link ConfigWatcher}), else its start-up
 *       config.
 * </ul>
 */
public final class Worker implements AutoCloseable {
  /**
   * Transactions of a crashed worker are aborted by the broker after this, unless the config says
   * otherwise.
   */
  static final String DEFAULT_TRANSACTION_TIMEOUT_MS = "10000";

  private final SwitchboardConfig config;
  private final LiveConfig live;
  private final ConfigWatcher watcher;
  private final MeterRegistry registry;
  private final WorkerMetrics metrics;
  private volatile List<KafkaClientMetrics> clientMetrics = List.of();
  private KafkaClientMetrics producerMetrics; // guarded by this
  private final Clock clock;
  private final Function<String, String> env;
  private final HealthTracker health;
  private final HealthListener healthListener;
  private final ScheduledThreadPoolExecutor timer;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ProviderClients providers;
  private volatile Engine engine;
  private volatile Thread loop;
  private volatile OffloadThread offload;

  /**
   * A worker for {@code config}; nothing connects until {@link #start()}.
   *
   * @param env looks up environment variables: the deployments' API keys, read on every call
   */
  public Worker(SwitchboardConfig config, Clock clock, Function<String, String> env) {
    this(config, clock, env, null);
  }

  /**
   * A worker whose calls, latencies, tokens, cost, in-flight calls, paused lanes and Kafka client
   * metrics are registered in {@code registry}; nothing connects until {@link #start()}.
   *
   * @param registry where the meters go, or null for none
   */
  public Worker(
      SwitchboardConfig config, Clock clock, Function<String, String> env, MeterRegistry registry) {
    this.registry = registry;
    this.live = new LiveConfig(Objects.requireNonNull(config, "config"));
    this.watcher = new ConfigWatcher(config, live, "worker");
    this.metrics = new WorkerMetrics(live, this::inFlight, this::pausedLanes);
    if (registry != null) {
      metrics.bindTo(registry);
    }
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.env = Objects.requireNonNull(env, "env");
    this.health =
        new HealthTracker(
            config.routerSettings(),
            clock,
            UUID.randomUUID().toString(),
            new LimitLearner(clock, config.workerSettings().learnLimits()));
    this.healthListener = new HealthListener(config, health);
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "switchboard-worker-retries");
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true);
  }

  static Properties consumerProperties(SwitchboardConfig config) {
    return ConsumerProperties.readCommitted(config.kafka())
        .group(config.workerSettings().groupId())
        .defaultTo("max.poll.records", "500")
        .toProperties();
  }

  static Properties producerProperties(SwitchboardConfig config) {
    Properties p = new Properties();
    p.putAll(config.kafka());
    p.put(
        "transactional.id",
        config.workerSettings().transactionalIdPrefix() + "-" + UUID.randomUUID());
    p.put("enable.idempotence", "true");
    p.put("acks", "all");
    p.putIfAbsent("linger.ms", "5");
    p.putIfAbsent("transaction.timeout.ms", DEFAULT_TRANSACTION_TIMEOUT_MS);
    return p;
  }

  /** Connects to Kafka and the providers and starts consuming. */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("worker already started");
    }
    watcher.start(CONFIG_READ_TIMEOUT);
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            consumerProperties(config), new StringDeserializer(), new ByteArrayDeserializer());
    providers = ProviderClients.start(config.workerSettings(), env, clock);
    RandomGenerator random = () -> ThreadLocalRandom.current().nextLong();
    Engine e =
        new Engine(
            live,
            clock,
            consumer,
            () ->
                withClientMetrics(
                    new KafkaProducer<>(
                        producerProperties(config),
                        new StringSerializer(),
                        new ByteArraySerializer())),
            providers,
            health,
            new RetryPolicy(clock, random),
            timer,
            metrics::record);
    try {
      e.init();
    } catch (RuntimeException failure) {
      consumer.close();
      providers.close();
      throw failure;
    }
    engine = e;
    if (registry != null) {
      KafkaClientMetrics consumerMetrics = new KafkaClientMetrics(consumer);
      consumerMetrics.bindTo(registry);
      clientMetrics = List.of(consumerMetrics);
    }
    healthListener.start();
    offload =
        OffloadThread.startIfNeeded(
            config,
            clock,
            env,
            () ->
                new KafkaProducer<>(
                    producerProperties(config), new StringSerializer(), new ByteArraySerializer()),
            metrics);
    Thread t = new Thread(e, "switchboard-worker");
    loop = t;
    t.start();
  }

  /**
   * Binds a new transactional producer's client metrics in place of those of the producer it
   * replaces (a fenced or broken producer is replaced by the engine).
   */
  private synchronized KafkaProducer<String, byte[]> withClientMetrics(
      KafkaProducer<String, byte[]> producer) {
    if (registry != null) {
      if (producerMetrics != null) {
        producerMetrics.close();
      }
      producerMetrics = new KafkaClientMetrics(producer);
      producerMetrics.bindTo(registry);
    }
    return producer;
  }

  /** How long start-up may take to read the config topic before it runs on what it has. */
  private static final Duration CONFIG_READ_TIMEOUT = Duration.ofSeconds(30);

  /** The version of the live configuration in force: 0 for the start-up config. Thread-safe. */
  public long configVersion() {
    return live.version();
  }

  /** Provider calls in progress now (0 before start). Thread-safe. */
  public int inFlight() {
    Engine e = engine;
    return e == null ? 0 : e.callsInFlight();
  }

  /**
   * Owned dispatch partitions paused now: window full, rate budget spent, or metadata limit near.
   * Thread-safe.
   */
  public int pausedLanes() {
    Engine e = engine;
    return e == null ? 0 : e.pausedLanes();
  }

  /** Provider batch jobs of this worker's share not done yet (0 without an offload deployment). */
  public int offloadJobs() {
    OffloadThread o = offload;
    return o == null ? 0 : o.jobs();
  }

  /** Whether the poll loop is running. Thread-safe. */
  public boolean running() {
    Thread t = loop;
    return t != null && t.isAlive() && !closed.get();
  }

  /** Whether the worker runs and owns at least one dispatch partition. Thread-safe. */
  public boolean ready() {
    return running() && ownedLanes() > 0;
  }

  /**
   * When this worker sees the deployment's cooldown end (its own failures or another worker's
   * record).
   */
  Optional<Instant> cooldownUntil(String deploymentId) {
    return health.cooldownUntil(deploymentId);
  }

  /** Dispatch partitions owned now. Thread-safe. */
  int ownedLanes() {
    Engine e = engine;
    return e == null ? 0 : e.ownedLanes();
  }

  /**
   * Stops taking dispatches, waits up to {@code worker_settings.shutdown_grace_ms} for the calls in
   * flight, publishes their outcomes, and closes. Dispatches not finished by then are redone by the
   * partitions' next owner.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Engine e = engine;
    Thread t = loop;
    if (e != null) {
      e.stop();
      join(t, config.workerSettings().shutdownGraceMs() + 15_000);
    }
    stopOffload(false);
    shutdownResources();
  }

  /**
   * Leaves this worker as a crashed process would: the loop exits between two transactions, nothing
   * more is published or committed, and its group membership lapses only when its session times
   * out. For takeover tests.
   */
  void abandon() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Engine e = engine;
    if (e != null) {
      e.abandon();
      join(loop, 15_000);
    }
    stopOffload(true);
    shutdownResources();
  }

  private void stopOffload(boolean crash) {
    OffloadThread o = offload;
    if (o != null) {
      o.stop(crash);
    }
  }

  private void shutdownResources() {
    watcher.close();
    clientMetrics.forEach(KafkaClientMetrics::close);
    synchronized (this) {
      if (producerMetrics != null) {
        producerMetrics.close();
      }
    }
    healthListener.close();
    ProviderClients p = providers;
    if (p != null) {
      p.close();
    }
    timer.shutdownNow();
  }

  private static void join(Thread t, long millis) {
    if (t == null) {
      return;
    }
    try {
      t.join(millis);
      if (t.isAlive()) {
        t.interrupt();
        t.join(TimeUnit.SECONDS.toMillis(5));
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }
}
