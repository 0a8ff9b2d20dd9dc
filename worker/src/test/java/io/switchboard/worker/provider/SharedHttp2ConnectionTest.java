package io.switchboard.worker.provider;

import static io.switchboard.worker.provider.ProviderHttpVersionTest.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.HttpVersionChoice;
import io.switchboard.schemas.config.Provider;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Fault;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.testkit.mock.MockProviderOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Calls that share HTTP/2 connections, against the mock provider in h2c mode, when a connection
 * closes under them or before them: no call hurts the others, and the calls after a break open a
 * new connection.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedHttp2ConnectionTest {
  private static final AtomicInteger IDS = new AtomicInteger();

  private static ProviderClients clients(int perHost, int streams) {
    return ProviderClients.start(
        settings(HttpVersionChoice.HTTP2, perHost, streams),
        Map.<String, String>of()::get,
        Clock.systemUTC());
  }

  private static ProviderCall call(String apiBase) {
    DeploymentConfig d = Deployments.of(Provider.OPENAI_COMPATIBLE, "h2", "m", apiBase, null);
    return new ProviderCall(
        d, Deployments.body("hi"), "req-" + IDS.incrementAndGet(), Duration.ofSeconds(30));
  }

  /**
   * {@code count} calls made at once from several threads, so that they wait for the same lease.
   */
  private static List<CompletableFuture<ProviderResponse>> burst(
      ProviderClients clients, String apiBase, int count) throws InterruptedException {
    List<CompletableFuture<ProviderResponse>> calls = new CopyOnWriteArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < count / 8; i++) {
                  calls.add(clients.call(call(apiBase)));
                }
              });
      thread.start();
      threads.add(thread);
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    return calls;
  }

  /** How many calls ended each way: "200", or "kind: message" of the failure. */
  private static Map<String, Integer> outcomes(List<CompletableFuture<ProviderResponse>> calls)
      throws Exception {
    Map<String, Integer> out = new TreeMap<>();
    for (CompletableFuture<ProviderResponse> c : calls) {
      ProviderResponse r = c.get(60, TimeUnit.SECONDS);
      out.merge(r.failure() == null ? String.valueOf(r.status()) : r.describe(), 1, Integer::sum);
    }
    return out;
  }

  @Test
  void callsArrivingAsAnIdleConnectionIsFoundClosedAllSucceed() throws Exception {
    try (ProviderClients clients = clients(4, 100)) {
      int port;
      try (MockProvider first =
          MockProvider.start(MockProviderOptions.defaults().withHttp2(true))) {
        port = first.port();
        ProviderResponse warm = clients.call(call(first.baseUrl("h2") + "/v1")).get();
        assertThat(warm.status()).as(warm.describe()).isEqualTo(200);
      }
      // the server is gone: the connection it closed waits idle in the pool, not yet found closed
      Thread.sleep(300);
      try (MockProvider second =
          MockProvider.start(MockProviderOptions.defaults().withHttp2(true).withPort(port))) {
        second.behave("h2", Behavior.ok().withLatencyMs(200));
        List<CompletableFuture<ProviderResponse>> calls =
            burst(clients, second.baseUrl("h2") + "/v1", 96);
        assertThat(outcomes(calls)).containsOnly(Map.entry("200", 96));
      }
    }
  }

  @Test
  void callsOnAConnectionThatBreaksFailAsResetAndTheNextOnesOpenANewOne() throws Exception {
    try (MockProvider mock = MockProvider.start(MockProviderOptions.defaults().withHttp2(true));
        TcpRelay relay = new TcpRelay(mock.port());
        ProviderClients clients = clients(2, 100)) {
      String apiBase = "http://127.0.0.1:" + relay.port() + "/d/h2/v1";
      mock.behave("h2", Behavior.ok().withFault(Fault.HANG));
      List<CompletableFuture<ProviderResponse>> onBroken = burst(clients, apiBase, 40);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (mock.callCount() < 40 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(mock.callCount()).isEqualTo(40);
      assertThat(relay.accepted()).isEqualTo(1);

      relay.cutAll();
      mock.behave("h2", Behavior.ok().withLatencyMs(100));
      List<CompletableFuture<ProviderResponse>> after = burst(clients, apiBase, 96);

      assertThat(outcomes(onBroken).keySet())
          .allSatisfy(outcome -> assertThat(outcome).startsWith("connection_reset: "));
      Map<String, Integer> afterOutcomes = outcomes(after);
      assertThat(afterOutcomes.keySet())
          .allSatisfy(outcome -> assertThat(outcome).matches("200|connection_reset: .*"));
      List<CompletableFuture<ProviderResponse>> later = burst(clients, apiBase, 96);
      assertThat(outcomes(later)).containsOnly(Map.entry("200", 96));
      assertThat(relay.accepted()).isBetween(2, 3);
    }
  }
}
