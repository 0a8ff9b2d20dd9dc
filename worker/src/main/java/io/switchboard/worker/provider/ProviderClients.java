package io.switchboard.worker.provider;

import io.switchboard.schemas.config.Provider;
import io.switchboard.schemas.config.WorkerSettings;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Function;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Every provider adapter over one shared asynchronous HTTP client, whose connections ({@link
 * ProviderConnections}) speak HTTP/1.1 or HTTP/2 as {@code worker_settings} says. Calls go to the
 * adapter of the deployment's provider. Close it to stop the client and its timer.
 */
public final class ProviderClients implements ProviderClient, AutoCloseable {
  /** How long opening a connection may take (within the attempt's own time limit). */
  public static final Timeout CONNECT_TIMEOUT = Timeout.ofSeconds(10);

  private static final TimeValue SHUTDOWN_WAIT = TimeValue.ofSeconds(1);

  /**
   * Bytes of each of a connection's three I/O buffers. HttpCore's default (32 KiB) costs about 96
   * KiB of heap per connection, 570 MiB for 6,000 calls in flight; chat completion bodies are
   * mostly far smaller, and larger ones are read in several passes.
   */
  static final int CONNECTION_BUFFER_BYTES = 4096;

  private final CloseableHttpAsyncClient http;
  private final ProviderConnections connections;
  private final ScheduledThreadPoolExecutor timer;
  private final Map<Provider, ProviderClient> adapters = new EnumMap<>(Provider.class);

  private ProviderClients(
      CloseableHttpAsyncClient http,
      ProviderConnections connections,
      Function<String, String> env,
      Clock clock) {
    this.http = http;
    this.connections = connections;
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "switchboard-provider-timeouts");
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true);
    adapters.put(Provider.OPENAI, new OpenAiClient(http, env, clock, timer));
    adapters.put(Provider.AZURE, new AzureOpenAiClient(http, env, clock, timer));
    adapters.put(Provider.ANTHROPIC, new AnthropicClient(http, env, clock, timer));
    adapters.put(Provider.OPENAI_COMPATIBLE, new OpenAiCompatibleClient(http, env, clock, timer));
  }

  /**
   * Starts the HTTP client and the adapters.
   *
   * @param env looks up environment variables (API keys); tests pass a map's {@code get}
   */
  public static ProviderClients start(
      WorkerSettings settings, Function<String, String> env, Clock clock) {
    ProviderConnections pool = ProviderConnections.create(settings, CONNECT_TIMEOUT);
    CloseableHttpAsyncClient http =
        HttpAsyncClients.custom()
            .setConnectionManager(pool)
            .setIOReactorConfig(
                IOReactorConfig.custom()
                    .setIoThreadCount(
                        Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())))
                    .setTcpNoDelay(true)
                    .build())
            .setHttp1Config(Http1Config.custom().setBufferSize(CONNECTION_BUFFER_BYTES).build())
            .disableAutomaticRetries()
            .disableRedirectHandling()
            .disableCookieManagement()
            .disableAuthCaching()
            .build();
    http.start();
    return new ProviderClients(http, pool, env, clock);
  }

  /** The connection pool (tests look at how calls spread over connections). */
  ProviderConnections connections() {
    return connections;
  }

  /** The adapter of one provider. */
  public ProviderClient forProvider(Provider provider) {
    return adapters.get(provider);
  }

  @Override
  public CompletableFuture<ProviderResponse> call(ProviderCall call) {
    return forProvider(call.deployment().provider()).call(call);
  }

  /**
   * Stops within about a second: calls still in flight complete as cancelled or failed. The I/O
   * threads are asked to stop first and given a moment to end on their own, because closing their
   * selectors under them makes HttpCore log a spurious {@code ClosedSelectorException}.
   */
  @Override
  public void close() {
    http.initiateShutdown();
    try {
      http.awaitShutdown(SHUTDOWN_WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    http.close(CloseMode.IMMEDIATE);
    timer.shutdownNow();
  }
}
