package io.switchboard.sandbox.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.client.ClientOptions;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.mock.Call;
import io.switchboard.testkit.mock.MockProvider;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * The bench's mixed-classes mode: a backlog of batch requests queued on one deployment, then
 * interactive requests behind them. Reports how soon the interactive ones are answered, how much of
 * the backlog was answered by then, the most calls the provider saw in any 60 s window, and the
 * batch calls of the first minute against the rpm.
 *
 * @param backlog batch requests queued first
 * @param interactive interactive requests sent once the backlog's calls have begun
 * @param rpm the deployment's rpm
 * @param interactiveReserve the interactive class's {@code priority_reserve}
 * @param observe how long after the first call the provider's log is read
 */
public record MixedClasses(
    int backlog, int interactive, int rpm, double interactiveReserve, Duration observe) {
  /** The deployment the mode calls. */
  public static final String DEPLOYMENT = "mixed";

  private static final Duration MINUTE = Duration.ofSeconds(60);

  /** The mode's config, one deployment on the mock provider, written to a temporary file. */
  public Path writeConfig() throws IOException {
    Path file = Files.createTempFile("switchboard-bench-mixed", ".yaml");
    file.toFile().deleteOnExit();
    return Files.writeString(
        file,
        String.format(
            Locale.ROOT,
            """
            model_list:
              - model_name: %1$s
                deployment_id: %1$s
                provider: openai_compatible
                api_base: ${MOCK_URL}/d/%1$s/v1
                rpm: %2$d
                max_retries: 0
            router_settings: {priority_reserve: {interactive: %3$s}}
            """,
            DEPLOYMENT,
            rpm,
            interactiveReserve));
  }

  /**
   * Runs the mode on a started stack; returns the exit code (0 when every interactive answered).
   */
  public int run(SwitchboardConfig config, MockProvider mock, PrintWriter out) throws Exception {
    out.printf(
        Locale.ROOT,
        "bench (mixed classes): one deployment of %d rpm, interactive reserve %.2f; %d batch"
            + " requests queued, then %d interactive%n",
        rpm,
        interactiveReserve,
        backlog,
        interactive);
    out.flush();
    try (SwitchboardClient client =
        SwitchboardClient.create(
            ConnectionSettings.of(config),
            ClientOptions.builder()
                .clientId("bench-mixed")
                .maxInFlight(backlog + interactive)
                .requestTimeout(Duration.ofMinutes(30))
                .build())) {
      List<CompletableFuture<RouteReply>> batch = new ArrayList<>();
      for (int i = 0; i < backlog; i++) {
        batch.add(client.submit(request("b-" + i, Priority.BATCH)));
      }
      int started = Math.min(100, Math.max(1, backlog / 10));
      awaitUntil(() -> mock.calls(DEPLOYMENT).size() >= started, Duration.ofSeconds(120));

      Histogram latency = new Histogram(3_600_000L, 2);
      List<CompletableFuture<RouteReply>> sent = new ArrayList<>();
      for (int i = 0; i < interactive; i++) {
        long at = System.nanoTime();
        sent.add(
            client
                .submit(request("i-" + i, Priority.INTERACTIVE))
                .whenComplete(
                    (r, e) -> {
                      synchronized (latency) {
                        latency.recordValue((System.nanoTime() - at) / 1_000_000);
                      }
                    }));
      }
      boolean answered = true;
      try {
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
            .get(observe.toSeconds(), TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        answered = false;
      }
      long batchByThen = batch.stream().filter(CompletableFuture::isDone).count();
      Instant first = mock.calls(DEPLOYMENT).get(0).at();
      awaitUntil(() -> Instant.now().isAfter(first.plus(observe)), observe.plusSeconds(5));
      long batchFirstMinute =
          mock.calls(DEPLOYMENT).stream()
              .filter(c -> isBatch(c) && c.at().isBefore(first.plus(MINUTE)))
              .count();
      synchronized (latency) {
        out.printf(
            Locale.ROOT,
            "interactive: %d of %d answered, reply latency p50 %d ms, p95 %d ms, max %d ms%n",
            sent.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count(),
            interactive,
            latency.getValueAtPercentile(50),
            latency.getValueAtPercentile(95),
            latency.getMaxValue());
      }
      out.printf(
          Locale.ROOT,
          "batch answered when the interactive were: %d of %d (%d still waiting)%n",
          batchByThen,
          backlog,
          backlog - batchByThen);
      out.printf(
          Locale.ROOT,
          "provider calls in any 60 s window: %d (rpm %d); batch calls in the first minute: %d"
              + " (%.1f%% of the rpm)%n",
          mock.maxCallsInAnyWindow(DEPLOYMENT, MINUTE),
          rpm,
          batchFirstMinute,
          100.0 * batchFirstMinute / rpm);
      out.flush();
      return answered ? 0 : 1;
    }
  }

  private static boolean isBatch(Call call) {
    return call.requestId() != null && call.requestId().startsWith("b-");
  }

  private static RouteRequest request(String id, Priority priority) {
    ObjectNode body = Json.mapper().createObjectNode();
    body.putArray("messages").addObject().put("role", "user").put("content", id);
    body.put("max_tokens", 8);
    return RouteRequest.of(id, DEPLOYMENT, body).withPriority(priority);
  }

  private static void awaitUntil(Supplier<Boolean> done, Duration atMost)
      throws InterruptedException {
    long end = System.nanoTime() + atMost.toNanos();
    while (!done.get()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("the mixed-classes run did not get there in " + atMost);
      }
      Thread.sleep(100);
    }
  }
}
