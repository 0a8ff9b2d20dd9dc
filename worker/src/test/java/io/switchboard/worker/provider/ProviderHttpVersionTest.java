package io.switchboard.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.HttpVersionChoice;
import io.switchboard.schemas.config.Provider;
import io.switchboard.schemas.config.WorkerSettings;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.testkit.mock.MockProviderOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTP/2 to providers that speak it, HTTP/1.1 to those that do not, and the per-host connection and
 * per-connection stream limits, against the mock provider.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProviderHttpVersionTest {
  private static final AtomicInteger IDS = new AtomicInteger();

  static WorkerSettings settings(HttpVersionChoice version, int perHost, int streams) {
    return new WorkerSettings(
        null, null, null, null, null, null, null, version, perHost, streams, null, null);
  }

  static ProviderCall call(MockProvider mock, String deployment, Duration timeout) {
    DeploymentConfig d =
        Deployments.of(
            Provider.OPENAI_COMPATIBLE, deployment, "m", mock.baseUrl(deployment) + "/v1", null);
    return new ProviderCall(d, Deployments.body("hi"), "req-" + IDS.incrementAndGet(), timeout);
  }

  @Test
  void autoNegotiatesOverTlsAndKeepsPlainHttpOnHttp11() {
    HttpHost tls = new HttpHost("https", "api.openai.com", 443);
    HttpHost plain = new HttpHost("http", "localhost", 8000);
    assertThat(ProviderConnections.policy(HttpVersionChoice.AUTO, tls))
        .isEqualTo(HttpVersionPolicy.NEGOTIATE);
    assertThat(ProviderConnections.policy(HttpVersionChoice.AUTO, plain))
        .isEqualTo(HttpVersionPolicy.FORCE_HTTP_1);
    assertThat(ProviderConnections.policy(HttpVersionChoice.HTTP2, plain))
        .isEqualTo(HttpVersionPolicy.FORCE_HTTP_2);
    assertThat(ProviderConnections.policy(HttpVersionChoice.HTTP2, tls))
        .isEqualTo(HttpVersionPolicy.FORCE_HTTP_2);
    assertThat(ProviderConnections.policy(HttpVersionChoice.HTTP1, tls))
        .isEqualTo(HttpVersionPolicy.FORCE_HTTP_1);
  }

  @Test
  void callsShareFewHttp2ConnectionsWithinTheStreamLimit() throws Exception {
    try (MockProvider mock = MockProvider.start(MockProviderOptions.defaults().withHttp2(true));
        ProviderClients clients =
            ProviderClients.start(
                settings(HttpVersionChoice.HTTP2, 4, 50),
                Map.<String, String>of()::get,
                Clock.systemUTC())) {
      mock.behave("h2", Behavior.ok().withLatencyMs(400));
      AtomicInteger mostConnections = new AtomicInteger();
      AtomicInteger mostStreams = new AtomicInteger();
      AtomicBoolean sampling = new AtomicBoolean(true);
      Thread sampler =
          new Thread(
              () -> {
                while (sampling.get()) {
                  List<Integer> streams = clients.connections().streamsPerConnection();
                  mostConnections.accumulateAndGet(streams.size(), Math::max);
                  streams.forEach(n -> mostStreams.accumulateAndGet(n, Math::max));
                  Thread.onSpinWait();
                }
              });
      sampler.start();
      List<CompletableFuture<ProviderResponse>> calls = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        calls.add(clients.call(call(mock, "h2", Duration.ofSeconds(60))));
      }
      for (CompletableFuture<ProviderResponse> c : calls) {
        assertThat(c.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
      }
      sampling.set(false);
      sampler.join();
      assertThat(mock.requestsOver(HttpVersion.HTTP_2)).isEqualTo(400);
      assertThat(mock.requestsOver(HttpVersion.HTTP_1_1)).isZero();
      assertThat(mostConnections.get()).isBetween(2, 4);
      assertThat(mostStreams.get()).isEqualTo(50);
      assertThat(
              clients.connections().getTotalStats().getLeased()
                  + clients.connections().getTotalStats().getAvailable())
          .isLessThanOrEqualTo(4);
    }
  }

  @Test
  void aCallThatTimesOutEndsItsOwnStreamAndNotTheConnection() throws Exception {
    try (MockProvider mock = MockProvider.start(MockProviderOptions.defaults().withHttp2(true));
        ProviderClients clients =
            ProviderClients.start(
                settings(HttpVersionChoice.HTTP2, 1, 100),
                Map.<String, String>of()::get,
                Clock.systemUTC())) {
      mock.behave("slow", Behavior.ok().withLatencyMs(1500));
      List<CompletableFuture<ProviderResponse>> patient = new ArrayList<>();
      List<CompletableFuture<ProviderResponse>> hasty = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        patient.add(clients.call(call(mock, "slow", Duration.ofSeconds(30))));
        hasty.add(clients.call(call(mock, "slow", Duration.ofMillis(200))));
      }
      for (CompletableFuture<ProviderResponse> c : hasty) {
        assertThat(c.get(30, TimeUnit.SECONDS).failure().kind())
            .isEqualTo(TransportFailure.Kind.TIMEOUT);
      }
      for (CompletableFuture<ProviderResponse> c : patient) {
        ProviderResponse r = c.get(30, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.describe()).isEqualTo(200);
      }
      Thread.sleep(500);
      System.out.println(
          "STATS "
              + clients.connections().getTotalStats()
              + " "
              + clients.connections().streamsPerConnection());
      assertThat(clients.connections().getTotalStats().getAvailable()).isEqualTo(1);
    }
  }

  @Test
  void autoSpeaksHttp11ToAPlainHttpServer() throws Exception {
    try (MockProvider mock = MockProvider.start();
        ProviderClients clients =
            ProviderClients.start(
                settings(HttpVersionChoice.AUTO, 8, 100),
                Map.<String, String>of()::get,
                Clock.systemUTC())) {
      mock.behave("h1", Behavior.ok().withLatencyMs(200));
      List<CompletableFuture<ProviderResponse>> calls = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        calls.add(clients.call(call(mock, "h1", Duration.ofSeconds(30))));
      }
      for (CompletableFuture<ProviderResponse> c : calls) {
        assertThat(c.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
      }
      assertThat(mock.requestsOver(HttpVersion.HTTP_1_1)).isEqualTo(20);
      assertThat(mock.requestsOver(HttpVersion.HTTP_2)).isZero();
      assertThat(clients.connections().streamsPerConnection()).isEmpty();
    }
  }

  @Test
  void http2ToAnHttp11OnlyServerFailsAsATransportError() throws Exception {
    try (MockProvider mock = MockProvider.start();
        ProviderClients clients =
            ProviderClients.start(
                settings(HttpVersionChoice.HTTP2, 2, 100),
                Map.<String, String>of()::get,
                Clock.systemUTC())) {
      ProviderResponse r =
          clients.call(call(mock, "h1", Duration.ofSeconds(20))).get(30, TimeUnit.SECONDS);
      assertThat(r.failure()).isNotNull();
      assertThat(r.failure().kind()).isNotEqualTo(TransportFailure.Kind.TIMEOUT);
      assertThat(mock.requestsOver(HttpVersion.HTTP_2)).isZero();
    }
  }
}
