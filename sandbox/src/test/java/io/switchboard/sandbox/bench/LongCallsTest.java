package io.switchboard.sandbox.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.schemas.config.ConfigException;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.HttpVersionChoice;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bench's long-call mode: when it applies and what it changes in the built-in config. */
class LongCallsTest {
  static SwitchboardConfig builtIn() throws IOException {
    try (InputStream in = LongCallsTest.class.getResourceAsStream("/bench-config.yaml")) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new ConfigLoader(name -> "MOCK_URL".equals(name) ? "http://127.0.0.1:9" : null)
          .parse(yaml, "built-in");
    }
  }

  @Test
  void shortCallsKeepTheBuiltInConfig() {
    assertThat(LongCalls.of(0, 50_000, 120)).isNull();
    assertThat(LongCalls.of(LongCalls.FROM_LATENCY_MS - 1, 50_000, 120)).isNull();
  }

  @Test
  void timeoutsGoAboveTheLatencyAndTheWindowsHoldTheWholeLoop() throws IOException {
    LongCalls l = LongCalls.of(30_000, 50_000, 120);
    assertThat(l.callTimeoutMs()).isEqualTo(70_000);
    assertThat(l.drainSeconds()).isEqualTo(140);
    assertThat(LongCalls.of(3_000, 2_000, 120).drainSeconds())
        .as("a longer wait is kept")
        .isEqualTo(120);

    SwitchboardConfig before = builtIn();
    SwitchboardConfig after = l.adjust().apply(before);
    assertThat(after.routerSettings().timeoutMs()).isEqualTo(70_000L);
    assertThat(after.workerSettings().maxInFlightPerLane()).isEqualTo(50_000);
    assertThat(after.workerSettings().httpVersion()).isEqualTo(HttpVersionChoice.HTTP2);
    assertThat(after.workerSettings().maxConnections())
        .isEqualTo(before.workerSettings().maxConnections());
    assertThat(after.modelList()).isEqualTo(before.modelList());
    assertThat(after.topics()).isEqualTo(before.topics());
    assertThat(l.describe()).contains("call timeout 70000 ms").contains("HTTP/2");
  }

  @Test
  void http2SetsTheWorkersVersionAndRefusesAConfigThatAsksForHttp1() throws IOException {
    SwitchboardConfig before = builtIn();
    assertThat(before.workerSettings().httpVersion()).isEqualTo(HttpVersionChoice.AUTO);
    SwitchboardConfig after = LongCalls.http2(before);
    assertThat(after.workerSettings().httpVersion()).isEqualTo(HttpVersionChoice.HTTP2);
    assertThat(after.modelList()).isEqualTo(before.modelList());

    SwitchboardConfig http1 =
        new ConfigLoader(name -> "http://127.0.0.1:9")
            .parse(
                """
                model_list:
                  - {model_name: chat, provider: openai_compatible, api_base: "${MOCK_URL}/v1"}
                worker_settings: {http_version: http1}
                """,
                "http1.yaml");
    assertThatThrownBy(() -> LongCalls.http2(http1))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--http2")
        .hasMessageContaining("worker_settings.http_version: http1");
  }
}
