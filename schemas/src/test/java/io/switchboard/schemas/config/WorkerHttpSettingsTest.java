package io.switchboard.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.schemas.json.Json;
import org.junit.jupiter.api.Test;

/** {@code worker_settings}' HTTP keys: version, connections per host, streams per connection. */
class WorkerHttpSettingsTest {
  final ConfigLoader loader = new ConfigLoader(name -> null);

  static final String MODELS = "model_list:\n  - {model_name: chat}\n";

  @Test
  void defaultsNegotiateOverTlsAndShareTheConnectionBudgetWithOneHost() {
    WorkerSettings w = loader.parse(MODELS, "d.yaml").workerSettings();
    assertThat(w.httpVersion()).isEqualTo(HttpVersionChoice.AUTO);
    assertThat(w.maxConnectionsPerHost()).isEqualTo(w.maxConnections()).isEqualTo(2000);
    assertThat(w.maxStreamsPerConnection()).isEqualTo(100);
  }

  @Test
  void givenValuesAreReadAndSurviveANamespacedCopy() {
    SwitchboardConfig c =
        loader.parse(
            MODELS
                + "worker_settings: {http_version: http2, max_connections: 300,"
                + " max_connections_per_host: 40, max_streams_per_connection: 250}\n",
            "h.yaml");
    WorkerSettings w = c.namespaced("-run").workerSettings();
    assertThat(w.httpVersion()).isEqualTo(HttpVersionChoice.HTTP2);
    assertThat(w.maxConnections()).isEqualTo(300);
    assertThat(w.maxConnectionsPerHost()).isEqualTo(40);
    assertThat(w.maxStreamsPerConnection()).isEqualTo(250);
    assertThat(Json.tree(c).at("/worker_settings/http_version").asText()).isEqualTo("http2");
  }

  @Test
  void badValuesAreErrorsNamingTheKeyAndTheValue() {
    assertThatThrownBy(
            () -> loader.parse(MODELS + "worker_settings: {http_version: h3}\n", "v.yaml"))
        .hasMessageStartingWith("v.yaml: invalid config")
        .hasMessageContaining("/worker_settings/http_version");
    assertThatThrownBy(() -> HttpVersionChoice.fromName("h3"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("worker_settings.http_version: 'h3' is not one of [auto, http1, http2]");
    assertThatThrownBy(
            () ->
                new WorkerSettings(
                    null, null, null, null, null, null, null, null, null, 0, null, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("worker_settings.max_streams_per_connection: 0 is below the minimum of 1");
    assertThatThrownBy(
            () ->
                new WorkerSettings(
                    null, null, null, null, null, null, null, null, 0, null, null, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("worker_settings.max_connections_per_host: 0 is below the minimum of 1");
  }
}
