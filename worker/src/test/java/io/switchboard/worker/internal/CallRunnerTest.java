package io.switchboard.worker.internal;

import static io.switchboard.worker.internal.Fixtures.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.testkit.time.MutableClock;
import io.switchboard.worker.health.HealthTracker;
import io.switchboard.worker.pacing.LanePacer;
import io.switchboard.worker.provider.ProviderCall;
import io.switchboard.worker.provider.ProviderResponse;
import io.switchboard.worker.retry.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class CallRunnerTest {
  static final SwitchboardConfig CONFIG =
      config("router_settings: {allowed_fails: 100, timeout_ms: 7000}\n");
  static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

  final MutableClock clock = new MutableClock(START);
  final List<ProviderCall> calls = new CopyOnWriteArrayList<>();
  final List<CompletableFuture<ProviderResponse>> pending = new CopyOnWriteArrayList<>();
  final ConcurrentLinkedQueue<CallEvent> events = new ConcurrentLinkedQueue<>();
  final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  final Lane lane = Fixtures.lane(clock);
  final LanePacer.Permit permit = new LanePacer(null, null, clock).tryAcquire(10).orElseThrow();
  final CallRunner runner =
      new CallRunner(
          call -> {
            calls.add(call);
            CompletableFuture<ProviderResponse> response = new CompletableFuture<>();
            pending.add(response);
            return response;
          },
          new CallOutcomes(
              clock,
              new HealthTracker(CONFIG.routerSettings(), clock),
              new RetryPolicy(clock, new SplittableRandom(5)),
              Fixtures.outputs(CONFIG),
              a -> {}),
          timer,
          CONFIG.routerSettings().timeoutMs(),
          events::add);

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  @Test
  void aCallIsInFlightUntilItsResponseIsPostedForThePollThread() {
    Job job = Fixtures.job(CONFIG, 0, null);
    runner.launch(lane, job, permit, START);
    assertThat(runner.inFlight()).isEqualTo(1);
    assertThat(calls)
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.requestId()).isEqualTo(job.id());
              assertThat(call.timeout())
                  .as("router_settings.timeout_ms")
                  .isEqualTo(Duration.ofMillis(7000));
            });
    assertThat(events).isEmpty();

    pending.get(0).complete(CallOutcomesTest.completion());
    assertThat(runner.inFlight()).isZero();
    assertThat(events)
        .singleElement()
        .isInstanceOfSatisfying(
            CallEvent.Completed.class,
            c -> {
              assertThat(c.job()).isSameAs(job);
              assertThat(c.lane()).isSameAs(lane);
              assertThat(c.retries()).isFalse();
            });
  }

  @Test
  void aCallNeverOutlivesItsRequestsDeadline() {
    Job job = Fixtures.job(CONFIG, 0, START.plusMillis(1500));
    runner.launch(lane, job, permit, START);
    assertThat(calls.get(0).timeout()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void theRequestsOwnTimeoutWinsWhenItIsShorterAndOnlyThen() {
    runner.launch(lane, timedJob(250L), permit, START);
    assertThat(calls.get(0).timeout()).isEqualTo(Duration.ofMillis(250));
    runner.launch(lane, timedJob(9_000L), permit, START);
    assertThat(calls.get(1).timeout())
        .as("router_settings.timeout_ms is shorter")
        .isEqualTo(Duration.ofMillis(7000));
  }

  /** A job whose request asks for {@code timeoutMs} per call. */
  static Job timedJob(long timeoutMs) {
    Dispatch dispatch = Fixtures.dispatch("r0", null, 10);
    RouteRequest request = dispatch.request();
    RouteRequest timed =
        new RouteRequest(
            request.id(),
            request.model(),
            null,
            null,
            null,
            null,
            null,
            timeoutMs,
            null,
            null,
            null,
            null,
            request.body());
    return Fixtures.job(
        CONFIG,
        new Dispatch(
            timed,
            dispatch.deploymentId(),
            dispatch.modelName(),
            0,
            10,
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            null,
            dispatch.receivedAt(),
            dispatch.routedAt()),
        0);
  }

  @Test
  void aRetryIsPostedWhenItsDelayHasPassed() {
    Job job = Fixtures.job(CONFIG, 0, null);
    runner.launch(lane, job, permit, START);
    pending.get(0).complete(ProviderResponse.http(503, Map.of(), null, null, Duration.ofMillis(5)));
    await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 2);
    CallEvent completed = events.poll();
    assertThat(completed)
        .isInstanceOfSatisfying(CallEvent.Completed.class, c -> assertThat(c.retries()).isTrue());
    assertThat(events.poll()).isEqualTo(new CallEvent.RetryDue(lane, job));
  }

  @Test
  void aRetryIsDroppedWhenTheTimerIsClosing() {
    timer.shutdownNow();
    Job job = Fixtures.job(CONFIG, 0, null);
    runner.launch(lane, job, permit, START);
    pending.get(0).complete(ProviderResponse.http(503, Map.of(), null, null, Duration.ofMillis(5)));
    assertThat(events).singleElement().isInstanceOf(CallEvent.Completed.class);
  }
}
