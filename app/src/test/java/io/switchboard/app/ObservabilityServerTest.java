package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchboard.router.metrics.RouterMeter;
import io.switchboard.router.metrics.RouterMetrics;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.ObservabilityConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.worker.metrics.WorkerMeter;
import io.switchboard.worker.metrics.WorkerMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ObservabilityServerTest {
  static final SwitchboardConfig CONFIG =
      new ConfigLoader(k -> null)
          .parse(
              """
      model_list:
        - {model_name: chat, deployment_id: chat-east, provider: openai_compatible}
      observability: {port: 0, bind_address: 127.0.0.1}
      """,
              "test");
  final HttpClient http = HttpClient.newHttpClient();

  HttpResponse<String> get(ObservabilityServer server, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Timeout(60)
  void scrapeShowsEveryDeclaredMeterAndProbesFollowTheProcess() throws Exception {
    PrometheusMeterRegistry registry = ObservabilityServer.newRegistry();
    new RouterMetrics(CONFIG).bindTo(registry);
    WorkerMetrics worker = new WorkerMetrics(CONFIG, () -> 4, () -> 1);
    worker.bindTo(registry);
    worker.record(
        new AttemptEvent(
            null,
            "r1",
            "chat-east",
            "chat",
            "m",
            "openai_compatible",
            Outcome.SUCCESS,
            200,
            42,
            10,
            5,
            0.001,
            0,
            null,
            Instant.EPOCH));
    AtomicBoolean alive = new AtomicBoolean(true);
    AtomicBoolean ready = new AtomicBoolean(false);
    try (ObservabilityServer server =
        ObservabilityServer.start(CONFIG.observability(), registry, alive::get, ready::get)) {
      assertThat(server.port()).isPositive();
      HttpResponse<String> scrape = get(server, "/metrics");
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      for (RouterMeter meter : RouterMeter.values()) {
        assertThat(scrape.body()).as(meter.name()).contains(meter.meterName().replace('.', '_'));
      }
      for (WorkerMeter meter : WorkerMeter.values()) {
        assertThat(scrape.body()).as(meter.name()).contains(meter.meterName().replace('.', '_'));
      }
      assertThat(scrape.body())
          .contains(
              "switchboard_worker_calls_total{deployment=\"chat-east\",model=\"chat\",outcome=\"SUCCESS\",priority=\"default\",provider=\"openai_compatible\"} 1.0")
          .contains("switchboard_worker_call_latency_seconds_bucket")
          .contains("switchboard_worker_in_flight_calls 4.0")
          .contains("jvm_memory_used_bytes")
          .contains("jvm_gc_live_data_size_bytes");

      assertThat(get(server, "/health").statusCode()).isEqualTo(200);
      assertThat(get(server, "/ready").statusCode()).isEqualTo(503);
      ready.set(true);
      assertThat(get(server, "/ready").statusCode()).isEqualTo(200);
      alive.set(false);
      assertThat(get(server, "/health").statusCode()).isEqualTo(503);
    }
  }

  @Test
  void everySeriesTheDashboardQueriesIsExported() throws Exception {
    PrometheusMeterRegistry registry = ObservabilityServer.newRegistry();
    new RouterMetrics(CONFIG).bindTo(registry);
    WorkerMetrics worker = new WorkerMetrics(CONFIG, () -> 0, () -> 0);
    worker.bindTo(registry);
    String scrape = registry.scrape();
    java.util.Set<String> exported = new java.util.HashSet<>();
    scrape
        .lines()
        .filter(l -> !l.startsWith("#") && !l.isBlank())
        .forEach(l -> exported.add(l.replaceAll("[{ ].*", "")));
    String dashboard =
        java.nio.file.Files.readString(
            java.nio.file.Path.of("../deploy/grafana/dashboards/switchboard.json"));
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("switchboard_[a-z_]+").matcher(dashboard);
    int found = 0;
    while (m.find()) {
      found++;
      assertThat(exported).as("series used by the dashboard").contains(m.group());
    }
    assertThat(found).isGreaterThan(10);
  }

  @Test
  void portMinusOneServesNothingAndABusyPortIsNamed() {
    PrometheusMeterRegistry registry = ObservabilityServer.newRegistry();
    try (ObservabilityServer off =
        ObservabilityServer.start(
            new ObservabilityConfig(-1, null), registry, () -> true, () -> true)) {
      assertThat(off.port()).isEqualTo(-1);
    }
    try (ObservabilityServer first =
        ObservabilityServer.start(
            new ObservabilityConfig(0, "127.0.0.1"), registry, () -> true, () -> true)) {
      assertThatThrownBy(
              () ->
                  ObservabilityServer.start(
                      new ObservabilityConfig(first.port(), "127.0.0.1"),
                      registry,
                      () -> true,
                      () -> true))
          .isInstanceOf(ErrorReporter.UserError.class)
          .hasMessageContaining("observability.port")
          .hasMessageContaining("--metrics-port")
          .hasMessageContaining(String.valueOf(first.port()))
          .hasMessageNotContaining("\n");
    }
  }
}
