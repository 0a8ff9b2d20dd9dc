package io.switchboard.worker;

import static io.switchboard.worker.WorkerHarness.dispatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.testkit.mock.MockProviderOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.http.HttpVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker on the real broker calls an HTTP/2 provider (the mock over h2c) over HTTP/2, and an
 * HTTP/1.1-only one over HTTP/1.1, each dispatch answered once and ok.
 */
@Timeout(180)
class WorkerHttp2IT {
  static KafkaBroker broker;
  static MockProvider h2;
  static MockProvider h1;

  @BeforeAll
  static void start() {
    broker = KafkaBrokers.start();
    h2 = MockProvider.start(MockProviderOptions.defaults().withHttp2(true));
    h1 = MockProvider.start();
  }

  @AfterAll
  static void stop() {
    h2.close();
    h1.close();
    broker.close();
  }

  static void answersAllOk(String name, String yaml, int count) throws Exception {
    try (WorkerHarness h = new WorkerHarness(broker, name, yaml, Map.of());
        TopicTap tap =
            new TopicTap(broker.bootstrapServers(), List.of(h.topics.replies().name()))) {
      Worker worker = new Worker(h.config, Clock.systemUTC(), k -> null);
      worker.start();
      try {
        for (int i = 0; i < count; i++) {
          h.send(dispatch(name + "-" + i, name));
        }
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> tap.all(h.topics.replies().name()).size() >= count);
        assertThat(tap.all(h.topics.replies().name()))
            .hasSize(count)
            .allSatisfy(
                r ->
                    assertThat(Json.read(r.value(), RouteReply.class).status())
                        .isEqualTo(ReplyStatus.OK));
      } finally {
        worker.close();
      }
    }
  }

  @Test
  void callsToAnHttp2ProviderGoOverHttp2() throws Exception {
    h2.behave("h2c", Behavior.ok().withLatencyMs(300));
    String yaml =
        """
        model_list:
          - {model_name: h2c, api_base: "%1$s/d/h2c/v1", max_retries: 0, lanes: 2}
        worker_settings: {group_id: h2-workers, http_version: http2, max_connections_per_host: 2,
                          max_streams_per_connection: 100, shutdown_grace_ms: 2000}
        """
            .formatted(h2.baseUrl());
    answersAllOk("h2c", yaml, 300);
    assertThat(h2.requestsOver(HttpVersion.HTTP_2)).isEqualTo(300);
    assertThat(h2.requestsOver(HttpVersion.HTTP_1_1)).isZero();
  }

  @Test
  void autoFallsBackToHttp11ForAPlainHttpProvider() throws Exception {
    h1.behave("h1", Behavior.ok().withLatencyMs(50));
    String yaml =
        """
        model_list:
          - {model_name: h1, api_base: "%1$s/d/h1/v1", max_retries: 0}
        worker_settings: {group_id: h1-workers, shutdown_grace_ms: 2000}
        """
            .formatted(h1.baseUrl());
    answersAllOk("h1", yaml, 50);
    assertThat(h1.requestsOver(HttpVersion.HTTP_1_1)).isEqualTo(50);
    assertThat(h1.requestsOver(HttpVersion.HTTP_2)).isZero();
  }
}
