package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.client.ClientOptions;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Call;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Classes through the real router, worker and mock provider: a 600 rpm deployment with 5% of its
 * budget held for interactive requests, a backlog of 2,000 batch requests queued on its lane, then
 * 30 interactive ones behind them. It watches the first minute's burst only; the pacer's window
 * sliding into the next minute, with calls that reach the provider late, is {@code LanePacerTest}'s
 * (worker).
 */
class PriorityEndToEndIT {
  static final int RPM = 600;
  static final int BACKLOG = 2_000;
  static final int INTERACTIVE = 30;
  static final Duration MINUTE = Duration.ofSeconds(60);

  /** How long the calls are watched once batch has taken its part of the minute. */
  static final Duration HOLD = Duration.ofSeconds(5);

  @Test
  @Timeout(180)
  void interactiveRequestsOvertakeABatchBacklogWithinTheRpm(@TempDir Path dir) throws Exception {
    // The window is bounded to 100 calls in flight: a burst of hundreds of calls on new connections
    // reached the provider over more than the pacer's 1 s allowance on a busy machine (601 calls in
    // a 60 s window with the default of 1,000).
    Path config =
        Files.writeString(
            dir.resolve("priority.yaml"),
            """
            model_list:
              - model_name: chat
                deployment_id: chat
                provider: openai_compatible
                api_base: ${MOCK_URL}/d/chat/v1
                rpm: %d
            router_settings: {priority_reserve: {interactive: 0.05}}
            worker_settings: {max_in_flight_per_lane: 100}
            """
                .formatted(RPM));
    try (Embedded embedded =
            Embedded.start(KafkaBrokers::start, config, Behavior.ok().withLatencyMs(2), 1, null);
        SwitchboardClient client =
            SwitchboardClient.create(
                ConnectionSettings.of(embedded.config()),
                ClientOptions.builder()
                    .maxInFlight(BACKLOG + INTERACTIVE)
                    .requestTimeout(Duration.ofMinutes(3))
                    .build())) {
      List<CompletableFuture<RouteReply>> batch = new ArrayList<>();
      for (int i = 0; i < BACKLOG; i++) {
        batch.add(client.submit(request("b-" + i, Priority.BATCH)));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> calls(embedded, "b-").size() >= 100);

      Instant sent = Instant.now();
      List<CompletableFuture<RouteReply>> interactive = new ArrayList<>();
      for (int i = 0; i < INTERACTIVE; i++) {
        interactive.add(client.submit(request("i-" + i, Priority.INTERACTIVE)));
      }
      CompletableFuture.allOf(interactive.toArray(CompletableFuture[]::new))
          .get(30, TimeUnit.SECONDS);
      Duration answeredIn = Duration.between(sent, Instant.now());
      long batchAnswered = batch.stream().filter(CompletableFuture::isDone).count();

      assertThat(interactive)
          .allSatisfy(f -> assertThat(f.join().status()).isEqualTo(ReplyStatus.OK));
      assertThat(answeredIn)
          .as("all %d interactive answered", INTERACTIVE)
          .isLessThan(MINUTE.dividedBy(2));
      assertThat(batchAnswered)
          .as("batch answered when the last interactive was: most of the backlog still waits")
          .isLessThan(BACKLOG / 2);

      Instant firstCall = embedded.mock().calls().get(0).at();
      // The pacer grants the minute's permits as they are asked for: batch takes all but
      // interactive's 5% in one burst, then waits for the window to slide.
      Instant minuteEnds = firstCall.plus(MINUTE);
      await().atMost(MINUTE).until(() -> calls(embedded, "b-").size() >= RPM * 95 / 100);
      // A few seconds more, in which a pacer that let more through than the rpm would show it: the
      // backlog is far from empty and the provider answers in 2 ms.
      Thread.sleep(HOLD.toMillis());
      List<Call> calls = embedded.mock().calls();
      assertThat(mostInAnyWindow(calls, MINUTE))
          .as("calls the provider saw in any 60 s window")
          .isLessThanOrEqualTo(RPM);
      assertThat(calls(embedded, "b-").stream().filter(c -> c.at().isBefore(minuteEnds)).count())
          .as("batch calls in the first minute: all but interactive's 5%")
          .isGreaterThanOrEqualTo(RPM * 95 / 100);
      assertThat(calls(embedded, "i-")).as("one call per interactive request").hasSize(INTERACTIVE);
    }
  }

  static RouteRequest request(String id, Priority priority) {
    ObjectNode body =
        (ObjectNode)
            Json.parse(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"" + id + "\"}],\"max_tokens\":8}");
    return RouteRequest.of(id, "chat", body).withPriority(priority);
  }

  static List<Call> calls(Embedded embedded, String idPrefix) {
    return embedded.mock().calls().stream()
        .filter(c -> c.requestId() != null && c.requestId().startsWith(idPrefix))
        .toList();
  }

  /**
   * The most calls within any {@code window} (from one call to just before {@code window} later).
   */
  static int mostInAnyWindow(List<Call> calls, Duration window) {
    List<Instant> at = calls.stream().map(Call::at).sorted().toList();
    int most = 0;
    int end = 0;
    for (int start = 0; start < at.size(); start++) {
      Instant limit = at.get(start).plus(window);
      while (end < at.size() && at.get(end).isBefore(limit)) {
        end++;
      }
      most = Math.max(most, end - start);
    }
    return most;
  }
}
