package io.switchboard.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchboard.router.metrics.KafkaStreamsMeters;
import io.switchboard.schemas.config.ObservabilityConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The HTTP endpoint of a router or worker process ({@code observability} in config):
 *
 * <ul>
 *   <li>{@code /metrics}: every meter of the registry in the Prometheus text format;
 *   <li>{@code /health}: 200 while the process loop is alive, else 503 (a liveness probe);
 *   <li>{@code /ready}: 200 when the process does its work (router RUNNING, worker assigned), else
 *       503.
 * </ul>
 *
 * Port 0 picks a free port ({@link #port()} tells which); port -1 serves nothing.
 */
public final class ObservabilityServer implements AutoCloseable {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(ObservabilityServer.class);
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  private ObservabilityServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * A Prometheus registry with the JVM and process meters bound, ready for Kafka Streams metrics
   * ({@link KafkaStreamsMeters#STORE_TAGS}).
   */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(KafkaStreamsMeters.STORE_TAGS);
    new JvmMemoryMetrics().bindTo(registry);
    // Collection pauses stop every call in flight: jvm_gc_pause_seconds shows how long (lives as
    // long as the process)
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }

  /**
   * Starts serving, unless the config turns the endpoint off.
   *
   * @param alive whether the process loop is alive
   * @param ready whether the process is ready for work
   * @throws ErrorReporter.UserError when the port cannot be bound (the message names it and how to
   *     choose another)
   */
  public static ObservabilityServer start(
      ObservabilityConfig config,
      PrometheusMeterRegistry registry,
      BooleanSupplier alive,
      BooleanSupplier ready) {
    if (!config.enabled()) {
      return new ObservabilityServer(null, null);
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(config.bindAddress(), config.port()), 16);
    } catch (IOException e) {
      throw new ErrorReporter.UserError(
          "cannot serve metrics on "
              + config.bindAddress()
              + ":"
              + config.port()
              + " ("
              + e.getMessage()
              + "); choose another port with --metrics-port, "
              + MetricsOptions.ENV
              + " or observability.port: 0 for any free one, -1 for none");
    }
    server.createContext(
        "/metrics", exchange -> respond(exchange, 200, PROMETHEUS_TEXT, registry.scrape()));
    server.createContext("/health", exchange -> probe(exchange, alive));
    server.createContext("/ready", exchange -> probe(exchange, ready));
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "switchboard-observability");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.start();
    log.info(
        "serving /metrics, /health and /ready on http://{}:{}",
        config.bindAddress(),
        server.getAddress().getPort());
    return new ObservabilityServer(server, executor);
  }

  /** The port served, or -1 when the endpoint is off. */
  public int port() {
    return server == null ? ObservabilityConfig.OFF : server.getAddress().getPort();
  }

  private static void probe(HttpExchange exchange, BooleanSupplier check) throws IOException {
    boolean ok;
    try {
      ok = check.getAsBoolean();
    } catch (RuntimeException e) {
      ok = false;
    }
    respond(exchange, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ok\n" : "not ok\n");
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())
          && !"HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      boolean head = "HEAD".equals(exchange.getRequestMethod());
      exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
