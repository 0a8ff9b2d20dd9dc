package io.switchboard.testkit.mock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.bootstrap.AsyncServerBootstrap;
import org.apache.hc.core5.http.impl.bootstrap.HttpAsyncServer;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.config.H2Config;
import org.apache.hc.core5.http2.impl.nio.bootstrap.H2ServerBootstrap;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.reactor.ListenerEndpoint;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * A real HTTP server (on 127.0.0.1 unless {@link MockProviderOptions#host()} says otherwise) that
 * answers like OpenAI, Azure OpenAI and Anthropic, with configurable latency, errors, rate limits,
 * context windows and faults, and a log of every call. Tests, the demo and benchmarks call it
 * instead of real providers.
 *
 * <p>Paths served, each also under {@code /d/{deployment}} so that the log knows which deployment
 * was called ({@link #baseUrl(String)}):
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions} (OpenAI and OpenAI-compatible: {@code api_base} is {@code
 *       baseUrl(deployment) + "/v1"});
 *   <li>{@code POST /openai/deployments/{name}/chat/completions?api-version=...} (Azure OpenAI);
 *   <li>{@code POST /v1/messages} (Anthropic Messages);
 *   <li>{@code GET /health} (not logged);
 *   <li>the batch APIs: OpenAI's and Azure's files and batches, Anthropic's message batches (not
 *       logged; see {@link #behaveBatches} and {@link #batchJobsCreated}).
 * </ul>
 *
 * It runs on HttpCore 5's non-blocking server, HTTP/1.1 or, with {@link
 * MockProviderOptions#http2()}, HTTP/2 (h2c); {@link #requestsOver} counts the requests of each
 * version. Latency is a task on one shared scheduler, never a thread per call. See {@link Behavior}
 * for the order in which a call is checked.
 *
 * <pre>{@code
 * try (MockProvider mock = MockProvider.start()) {
 *   mock.behave("gpt-a", Behavior.ok().withLatencyMs(50).withRpm(600));
 *   String apiBase = mock.baseUrl("gpt-a") + "/v1";
 *   ...
 *   assertThat(mock.maxCallsInAnyWindow("gpt-a", Duration.ofMinutes(1))).isLessThanOrEqualTo(600);
 * }
 * }</pre>
 */
public final class MockProvider implements AutoCloseable {
  /** The deployment of calls made without the {@code /d/{deployment}} prefix. */
  public static final String DEFAULT_DEPLOYMENT = "default";

  private static final Pattern DEPLOYMENT_NAME = Pattern.compile("[A-Za-z0-9._~:@-]+");
  private static final int BUFFER_BYTES = 4096;
  private static final int MAX_H2_STREAMS = 1_000_000;

  private final MockProviderOptions options;
  private final HttpAsyncServer server;
  private final ScheduledThreadPoolExecutor scheduler;
  private final ConcurrentHashMap<String, Behavior> behaviors = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, DeploymentState> states = new ConcurrentHashMap<>();
  private final CallLog log = new CallLog();
  private final MockBatches batches = new MockBatches();
  private volatile boolean keepRequestIds = true;
  private final AtomicLong ids = new AtomicLong();
  private final ConcurrentHashMap<ProtocolVersion, LongAdder> protocols = new ConcurrentHashMap<>();
  private volatile Behavior defaultBehavior;
  private final int port;

  private MockProvider(MockProviderOptions options) {
    this.options = options;
    this.defaultBehavior = options.defaultBehavior();
    this.scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "mock-provider-latency");
              t.setDaemon(true);
              return t;
            });
    scheduler.setRemoveOnCancelPolicy(true);
    IOReactorConfig reactor =
        IOReactorConfig.custom()
            .setIoThreadCount(options.ioThreads())
            .setSoTimeout(Timeout.of(options.idleTimeout()))
            .setTcpNoDelay(true)
            .setSoReuseAddress(true)
            .setBacklogSize(1024)
            .build();
    this.server = options.http2() ? h2Server(reactor) : http1Server(reactor);
    try {
      server.start();
      ListenerEndpoint endpoint =
          server
              .listen(
                  new InetSocketAddress(InetAddress.getByName(options.host()), options.port()),
                  URIScheme.HTTP)
              .get(30, TimeUnit.SECONDS);
      this.port = ((InetSocketAddress) endpoint.getAddress()).getPort();
    } catch (ExecutionException | IOException e) {
      shutdown();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new UncheckedIOException(
          "mock provider could not listen on "
              + options.host()
              + ":"
              + options.port()
              + ": "
              + cause.getMessage(),
          new IOException(cause));
    } catch (TimeoutException e) {
      shutdown();
      throw new IllegalStateException(
          "mock provider did not bind " + options.host() + ":" + options.port() + " within 30 s",
          e);
    } catch (InterruptedException e) {
      shutdown();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the mock provider", e);
    }
  }

  private HttpAsyncServer http1Server(IOReactorConfig reactor) {
    return AsyncServerBootstrap.bootstrap()
        .setIOReactorConfig(reactor)
        // Chat bodies are small: 4 KiB buffers instead of 32 KiB keep thousands of open
        // connections (a worker with 5,000 calls in flight) from costing hundreds of MiB.
        .setHttp1Config(Http1Config.custom().setBufferSize(BUFFER_BYTES).build())
        .setCanonicalHostName(options.host())
        // one handler for every path and every Host header (localhost, a compose service name...)
        .setRequestRouter((request, context) -> () -> new MockExchange(this))
        .create();
  }

  /**
   * HTTP/2 with prior knowledge on plain TCP (h2c). The stream limit is far above what a client
   * holds, so that the client's own per-connection limit is what a test or benchmark measures.
   */
  private HttpAsyncServer h2Server(IOReactorConfig reactor) {
    return H2ServerBootstrap.bootstrap()
        .setIOReactorConfig(reactor)
        .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2)
        .setH2Config(H2Config.custom().setMaxConcurrentStreams(MAX_H2_STREAMS).build())
        .setCanonicalHostName(options.host())
        .setRequestRouter((request, context) -> () -> new MockExchange(this))
        .create();
  }

  /** Starts a mock provider on an ephemeral port where every call succeeds at once. */
  public static MockProvider start() {
    return start(MockProviderOptions.defaults());
  }

  /** Starts a mock provider; the port is bound when this returns. */
  public static MockProvider start(MockProviderOptions options) {
    return new MockProvider(Objects.requireNonNull(options, "options"));
  }

  /** The bound port. */
  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:PORT}: calls here are logged under {@link #DEFAULT_DEPLOYMENT}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /**
   * {@code http://127.0.0.1:PORT/d/{deployment}}: calls here are logged under {@code deployment}.
   */
  public String baseUrl(String deployment) {
    return baseUrl() + "/d/" + checkDeployment(deployment);
  }

  /** Gives {@code deployment} its own behaviour, from the next call on. */
  public void behave(String deployment, Behavior behavior) {
    behaviors.put(checkDeployment(deployment), Objects.requireNonNull(behavior, "behavior"));
  }

  /** Gives the batch jobs created for {@code deployment} from now on {@code behavior}. */
  public void behaveBatches(String deployment, BatchBehavior behavior) {
    batches.behave(checkDeployment(deployment), Objects.requireNonNull(behavior, "behavior"));
  }

  /** How many batch jobs were created for {@code deployment}, on any of the batch APIs. */
  public int batchJobsCreated(String deployment) {
    return batches.jobs(Objects.requireNonNull(deployment, "deployment")).size();
  }

  /** The number of requests in each batch job created for {@code deployment}, oldest first. */
  public List<Integer> batchJobSizes(String deployment) {
    return batches.jobs(Objects.requireNonNull(deployment, "deployment")).stream()
        .map(BatchJob::size)
        .toList();
  }

  /** Gives every deployment {@code behavior}, dropping the deployments' own behaviours. */
  public void behaveAll(Behavior behavior) {
    defaultBehavior = Objects.requireNonNull(behavior, "behavior");
    behaviors.clear();
  }

  /**
   * Back to the start: the options' default behaviour for all, no deployment's own behaviour, and
   * fresh rpm windows, call counters and random generators. The call log is kept ({@link
   * #clearCalls()}).
   */
  public void reset() {
    defaultBehavior = options.defaultBehavior();
    behaviors.clear();
    states.clear();
  }

  /** The behaviour that answers {@code deployment}'s calls now. */
  public Behavior behaviorOf(String deployment) {
    Behavior own = behaviors.get(deployment);
    return own != null ? own : defaultBehavior;
  }

  /**
   * A snapshot of every call, in the order they were answered (a reset or hang: when it was read).
   */
  public List<Call> calls() {
    return log.snapshot(null);
  }

  /** A snapshot of {@code deployment}'s calls, in the order they were answered. */
  public List<Call> calls(String deployment) {
    return log.snapshot(Objects.requireNonNull(deployment, "deployment"));
  }

  /** How many calls were logged. */
  public long callCount() {
    return log.size();
  }

  /**
   * How many requests arrived over {@code version} ({@code HttpVersion.HTTP_1_1}, {@code
   * HttpVersion.HTTP_2}), health checks and unlogged calls included; never reset.
   */
  public long requestsOver(ProtocolVersion version) {
    LongAdder n = protocols.get(version);
    return n == null ? 0 : n.sum();
  }

  /** Empties the call log. */
  public void clearCalls() {
    log.clear();
  }

  /**
   * The most calls of {@code deployment} whose {@link Call#at()} falls in any one interval {@code
   * [t, t + window)}, counting every call the client made, whatever its answer (429s, errors,
   * resets and hangs included): what a client that respects an rpm must keep at or under the limit.
   */
  public int maxCallsInAnyWindow(String deployment, Duration window) {
    return maxCallsInAnyWindow(deployment, window, call -> true);
  }

  /**
   * As {@link #maxCallsInAnyWindow(String, Duration)}, counting only the calls {@code which}
   * accepts (e.g. {@link Call#succeeded()}).
   */
  public int maxCallsInAnyWindow(String deployment, Duration window, Predicate<Call> which) {
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive, was " + window);
    }
    long[] times =
        calls(deployment).stream()
            .filter(which)
            .mapToLong(c -> c.at().getEpochSecond() * 1_000_000_000L + c.at().getNano())
            .sorted()
            .toArray();
    long width = window.toNanos();
    int best = 0;
    int from = 0;
    for (int to = 0; to < times.length; to++) {
      while (times[to] - times[from] >= width) {
        from++;
      }
      best = Math.max(best, to - from + 1);
    }
    return best;
  }

  /**
   * The most tokens ({@link Call#tokens()}: the usage the mock answered) of {@code deployment}'s
   * calls whose {@link Call#at()} falls in any one interval {@code [t, t + window)}: what a client
   * that respects a tpm must keep at or under the limit, counted as the provider reports usage.
   */
  public long maxTokensInAnyWindow(String deployment, Duration window) {
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive, was " + window);
    }
    List<Call> calls = new ArrayList<>(calls(deployment));
    calls.sort(Comparator.comparing(Call::at));
    long width = window.toNanos();
    long best = 0;
    long sum = 0;
    int from = 0;
    for (int to = 0; to < calls.size(); to++) {
      sum += calls.get(to).tokens();
      while (nanos(calls.get(to).at()) - nanos(calls.get(from).at()) >= width) {
        sum -= calls.get(from++).tokens();
      }
      best = Math.max(best, sum);
    }
    return best;
  }

  private static long nanos(Instant at) {
    return at.getEpochSecond() * 1_000_000_000L + at.getNano();
  }

  /** Stops listening and closes every connection at once; answers still waiting are dropped. */
  @Override
  public void close() {
    shutdown();
  }

  private void shutdown() {
    server.close(CloseMode.IMMEDIATE);
    scheduler.shutdownNow();
    try {
      server.awaitShutdown(TimeValue.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "MockProvider[" + baseUrl() + "]";
  }

  // ---- for MockExchange --------------------------------------------------------------------

  DeploymentState stateOf(String deployment) {
    return states.computeIfAbsent(
        deployment, d -> new DeploymentState(options.seed() * 31 + d.hashCode()));
  }

  MockBatches batches() {
    return batches;
  }

  Clock clock() {
    return options.clock();
  }

  int maxBodyBytes() {
    return options.maxBodyBytes();
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  void countProtocol(ProtocolVersion version) {
    if (version != null) {
      protocols.computeIfAbsent(version, v -> new LongAdder()).increment();
    }
  }

  long nextId() {
    return ids.incrementAndGet();
  }

  void record(
      Instant at,
      String deployment,
      String api,
      String model,
      int status,
      long latencyMs,
      boolean credentialPresent,
      String requestId,
      int tokens) {
    log.add(
        at,
        deployment,
        api,
        model,
        status,
        latencyMs,
        credentialPresent,
        keepRequestIds ? requestId : null,
        tokens);
  }

  /**
   * Whether the call log keeps each call's request id (default yes). A long benchmark that only
   * reads call times and counts turns it off: the ids are the log's only cost that grows beyond
   * about 30 bytes a call, and they would show up as heap growth that is the mock's own.
   */
  public void keepRequestIds(boolean keep) {
    keepRequestIds = keep;
  }

  private static String checkDeployment(String deployment) {
    Objects.requireNonNull(deployment, "deployment");
    if (!DEPLOYMENT_NAME.matcher(deployment).matches()) {
      throw new IllegalArgumentException(
          "deployment must be a URL path segment of letters, digits and ._~:@-,"
              + " was '"
              + deployment
              + "'");
    }
    return deployment;
  }
}
