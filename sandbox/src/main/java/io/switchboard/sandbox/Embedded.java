package io.switchboard.sandbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.router.Router;
import io.switchboard.router.aggregator.MetricsAggregator;
import io.switchboard.router.metrics.KafkaStreamsMeters;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.testkit.kafka.InProcessKafkaBroker;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Latency;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.testkit.mock.MockProviderOptions;
import io.switchboard.worker.Worker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Everything in one process: a real Kafka broker (in-process for {@code demo}, {@code dev} and
 * {@code bench}; the tests' choice of broker for the end-to-end tests), the mock provider, a router
 * and workers.
 *
 * <p>Configs may refer to the mock provider as {@code ${MOCK_URL}} (e.g. {@code api_base:
 * ${MOCK_URL}/d/chat-a/v1}).
 */
public final class Embedded implements AutoCloseable {
  /** The built-in config of {@code demo} and {@code dev}. */
  public static final String DEMO_CONFIG = "/demo-config.yaml";

  private final KafkaBroker broker;
  private final MockProvider mock;
  private final SwitchboardConfig config;
  private final Router router;
  private final SimpleMeterRegistry routerMeters;

  /**
   * Where the meters of the router, the workers and the aggregator go: {@link #routerMeters}, and
   * whatever {@link #exportTo} adds. One registry, so that Micrometer sees their Kafka clients'
   * meters side by side.
   */
  private final CompositeMeterRegistry meters = new CompositeMeterRegistry();

  private final List<Worker> workers = new ArrayList<>();
  private MetricsAggregator aggregator;

  private Embedded(KafkaBroker broker, MockProvider mock, SwitchboardConfig config) {
    this.broker = broker;
    this.mock = mock;
    this.config = config;
    this.routerMeters = new SimpleMeterRegistry();
    meters.config().meterFilter(KafkaStreamsMeters.STORE_TAGS);
    meters.add(routerMeters);
    this.router = new Router(config, Clock.systemUTC(), meters);
  }

  /**
   * Starts broker, mock provider, router and {@code workerCount} workers.
   *
   * @param configFile a config file, or null for the built-in demo config
   * @param mockBehavior how the mock provider answers
   */
  public static Embedded start(Path configFile, Behavior mockBehavior, int workerCount)
      throws InterruptedException {
    return start(configFile, mockBehavior, workerCount, DEMO_CONFIG);
  }

  /**
   * As {@link #start(Path, Behavior, int)}, with {@code builtIn} the class-path config used when
   * {@code configFile} is null.
   */
  public static Embedded start(
      Path configFile, Behavior mockBehavior, int workerCount, String builtIn)
      throws InterruptedException {
    return start(InProcessKafkaBroker::start, configFile, mockBehavior, workerCount, builtIn);
  }

  /**
   * As {@link #start(Path, Behavior, int, String)} on the broker {@code brokers} starts (tests pass
   * {@code KafkaBrokers::start}, which takes a container where Docker answers).
   */
  public static Embedded start(
      Supplier<? extends KafkaBroker> brokers,
      Path configFile,
      Behavior mockBehavior,
      int workerCount,
      String builtIn)
      throws InterruptedException {
    return start(brokers, configFile, mockBehavior, workerCount, builtIn, UnaryOperator.identity());
  }

  /**
   * As {@link #start(Supplier, Path, Behavior, int, String)}, with the loaded config changed by
   * {@code adjust} before anything uses it (the bench names its topics per run on a shared
   * cluster).
   */
  public static Embedded start(
      Supplier<? extends KafkaBroker> brokers,
      Path configFile,
      Behavior mockBehavior,
      int workerCount,
      String builtIn,
      UnaryOperator<SwitchboardConfig> adjust)
      throws InterruptedException {
    return start(
        brokers,
        configFile,
        mockBehavior,
        workerCount,
        builtIn,
        adjust,
        MockProviderOptions.defaults());
  }

  /**
   * As {@link #start(Supplier, Path, Behavior, int, String, UnaryOperator)}, with the mock provider
   * started with {@code mockOptions} (the bench's long calls speak HTTP/2 to it).
   */
  public static Embedded start(
      Supplier<? extends KafkaBroker> brokers,
      Path configFile,
      Behavior mockBehavior,
      int workerCount,
      String builtIn,
      UnaryOperator<SwitchboardConfig> adjust,
      MockProviderOptions mockOptions)
      throws InterruptedException {
    KafkaBroker broker = brokers.get();
    MockProvider mock = null;
    Embedded embedded = null;
    try {
      mock = MockProvider.start(mockOptions);
      mock.behaveAll(mockBehavior);
      String mockUrl = mock.baseUrl();
      ConfigLoader loader =
          new ConfigLoader(name -> "MOCK_URL".equals(name) ? mockUrl : System.getenv(name));
      SwitchboardConfig config =
          adjust.apply(
              (configFile == null
                      ? loader.parse(resource(builtIn), "built-in " + builtIn)
                      : loader.load(configFile, null))
                  .withKafka(Map.of("bootstrap.servers", broker.bootstrapServers())));
      embedded = new Embedded(broker, mock, config);
      embedded.router.start();
      for (int i = 0; i < workerCount; i++) {
        embedded.addWorker();
      }
      embedded.router.awaitRunning(Duration.ofSeconds(60));
      return embedded;
    } catch (RuntimeException | InterruptedException e) {
      // Whatever started is stopped: a router and workers left running would keep their threads.
      if (embedded != null) {
        embedded.close();
      } else {
        if (mock != null) {
          mock.close();
        }
        broker.close();
      }
      throw e;
    }
  }

  /** A latency like a small, fast model: 20 to 80 ms. */
  public static Behavior demoBehavior() {
    return Behavior.ok().withLatency(Latency.uniform(20, 80));
  }

  /**
   * Starts the metrics aggregator (summaries for {@code switchboard stats}); closed with the rest.
   */
  public MetricsAggregator startAggregator() throws InterruptedException {
    MetricsAggregator started = new MetricsAggregator(config, Clock.systemUTC());
    started.bindTo(meters);
    started.start();
    aggregator = started;
    return started;
  }

  /** Starts one more worker in the same consumer group. */
  public Worker addWorker() {
    Worker worker = new Worker(config, Clock.systemUTC(), System::getenv, meters);
    try {
      worker.start();
    } catch (RuntimeException e) {
      // A worker that failed to start still holds what it started (its config watcher at least).
      worker.close();
      throw e;
    }
    workers.add(worker);
    return worker;
  }

  /**
   * Also registers the meters of the router and the workers, and the Kafka clients' metrics, in
   * {@code registry}.
   */
  public void exportTo(MeterRegistry registry) {
    meters.add(registry);
  }

  /** Whether the router and every worker are alive (starting or running). */
  public boolean alive() {
    return (router.state().isRunningOrRebalancing() || router.state() == KafkaStreams.State.CREATED)
        && workers.stream().allMatch(Worker::running);
  }

  /** Whether the router runs and every worker owns dispatch partitions. */
  public boolean ready() {
    return router.state() == KafkaStreams.State.RUNNING && workers.stream().allMatch(Worker::ready);
  }

  /**
   * The router's meters ({@code RouterMeter}: routes, fallbacks, routes over budget...), with the
   * others.
   */
  public MeterRegistry routerMeters() {
    return routerMeters;
  }

  public KafkaBroker broker() {
    return broker;
  }

  public MockProvider mock() {
    return mock;
  }

  public SwitchboardConfig config() {
    return config;
  }

  public List<Worker> workers() {
    return List.copyOf(workers);
  }

  static String resource(String name) {
    try (InputStream in = Embedded.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the built-in config to a file, so users can start from it. */
  static void writeDemoConfig(Path to) throws IOException {
    Files.writeString(to, resource(DEMO_CONFIG));
  }

  /**
   * Stops the workers, the aggregator and the router side by side (each waits for its own clients
   * only, so together they take as long as the slowest of them), then the mock provider and the
   * broker.
   */
  @Override
  public void close() {
    List<Callable<Void>> closes = new ArrayList<>();
    workers.forEach(w -> closes.add(closing(w)));
    if (aggregator != null) {
      closes.add(closing(aggregator));
    }
    closes.add(closing(router));
    ExecutorService closing = Executors.newFixedThreadPool(closes.size());
    try {
      for (Future<Void> closed : closing.invokeAll(closes)) {
        closed.get();
      }
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException("closing the embedded stack failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closing.shutdown();
      mock.close();
      broker.close();
    }
  }

  private static Callable<Void> closing(AutoCloseable part) {
    return () -> {
      part.close();
      return null;
    };
  }
}
