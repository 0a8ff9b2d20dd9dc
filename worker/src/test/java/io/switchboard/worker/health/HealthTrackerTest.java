package io.switchboard.worker.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.config.RouterSettings;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.json.SchemaName;
import io.switchboard.schemas.json.Schemas;
import io.switchboard.testkit.time.MutableClock;
import io.switchboard.worker.limits.LimitLearner;
import io.switchboard.worker.provider.ProviderResponse;
import io.switchboard.worker.provider.TransportFailure;
import io.switchboard.worker.retry.Fault;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HealthTrackerTest {
  private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
  private static final RouterSettings SETTINGS =
      new RouterSettings(3, 30, null, null, null, null, null);
  private final MutableClock clock = new MutableClock(START);
  private final HealthTracker tracker = new HealthTracker(SETTINGS, clock);

  @Test
  void allowedFailsWithinAMinuteStartACooldown() {
    assertThat(fail("d1")).isEmpty();
    clock.advance(Duration.ofSeconds(20));
    assertThat(fail("d1")).isEmpty();
    clock.advance(Duration.ofSeconds(20));
    Optional<DeploymentHealth> published = fail("d1");
    assertThat(published).isPresent();
    assertThat(published.get().cooldownUntil()).isEqualTo(START.plusSeconds(70));
    assertThat(published.get().reason()).contains("3 failures within 60s").contains("HTTP 503");
    assertThat(published.get().recentFailures()).isEqualTo(3);
    assertThat(tracker.coolingDown("d1")).isTrue();
    assertThat(tracker.coolingDown("d2")).isFalse();
    clock.advance(Duration.ofSeconds(30));
    assertThat(tracker.coolingDown("d1")).isFalse();
  }

  @Test
  void a429ThePacingTakesUpCountsAsAnErrorButNotTowardsACooldown() {
    ProviderResponse limited =
        ProviderResponse.http(429, Map.of("retry-after", "1"), null, null, Duration.ofMillis(5));
    for (int i = 0; i < 5; i++) {
      assertThat(
              tracker.record("d1", limited, Fault.TRANSIENT, new LimitLearner.Lesson(i == 0, true)))
          .isEmpty();
    }
    assertThat(tracker.coolingDown("d1")).isFalse();
    assertThat(tracker.snapshot("d1").errorRate()).isEqualTo(1.0);
    for (int i = 0; i < 2; i++) {
      assertThat(tracker.record("d1", limited, Fault.TRANSIENT, LimitLearner.Lesson.NONE))
          .isEmpty();
    }
    assertThat(tracker.record("d1", limited, Fault.TRANSIENT, new LimitLearner.Lesson(true, false)))
        .as("nothing admitted lately: a failure like any other")
        .isPresent();
  }

  @Test
  void failuresSpreadOverMoreThanAMinuteDoNotCoolDown() {
    for (int i = 0; i < 10; i++) {
      assertThat(fail("d1")).isEmpty();
      clock.advance(Duration.ofSeconds(31));
    }
    assertThat(tracker.coolingDown("d1")).isFalse();
  }

  @Test
  void unusableAnswersCoolDownAtOnce() {
    ProviderResponse unauthorized =
        ProviderResponse.http(401, Map.of(), null, null, Duration.ofMillis(3));
    Optional<DeploymentHealth> published = tracker.record("d1", unauthorized);
    assertThat(published).isPresent();
    assertThat(published.get().reason()).isEqualTo("HTTP 401");
    assertThat(tracker.cooldownUntil("d1")).contains(START.plusSeconds(30));
    ProviderResponse noKey =
        ProviderResponse.failed(
            new TransportFailure(
                TransportFailure.Kind.NOT_CONFIGURED, "environment variable X_KEY is not set"),
            Duration.ZERO);
    assertThat(tracker.record("d2", noKey).orElseThrow().reason()).contains("X_KEY");
  }

  @Test
  void successesAndRequestErrorsDoNotCountAsFailures() {
    for (int i = 0; i < 10; i++) {
      tracker.record("d1", Fault.NONE, "HTTP 400", Duration.ofMillis(10));
    }
    assertThat(tracker.coolingDown("d1")).isFalse();
    assertThat(tracker.snapshot("d1").errorRate()).isZero();
  }

  @Test
  void failuresDuringACooldownDoNotExtendIt() {
    fail("d1");
    fail("d1");
    fail("d1");
    clock.advance(Duration.ofSeconds(10));
    assertThat(fail("d1")).isEmpty();
    assertThat(tracker.record("d1", Fault.UNUSABLE, "HTTP 403", Duration.ZERO)).isEmpty();
    assertThat(tracker.cooldownUntil("d1")).contains(START.plusSeconds(30));
  }

  @Test
  void cooldownsPublishedByOtherWorkersAreHonoured() {
    DeploymentHealth remote =
        new DeploymentHealth("d9", START.plusSeconds(45), "HTTP 401", 0, 1.0, 0, START);
    tracker.apply(remote);
    assertThat(tracker.cooldownUntil("d9")).contains(START.plusSeconds(45));
    tracker.apply(new DeploymentHealth("d9", START.plusSeconds(5), "older", 0, 0, 0, START));
    assertThat(tracker.cooldownUntil("d9")).contains(START.plusSeconds(45));
    assertThat(tracker.snapshot("d9").reason()).isEqualTo("HTTP 401");
    tracker.apply(new DeploymentHealth("d9", null, null, 0, 0, 0, START));
    assertThat(tracker.coolingDown("d9")).isTrue();
    clock.advance(Duration.ofSeconds(45));
    assertThat(tracker.coolingDown("d9")).isFalse();
    assertThat(tracker.snapshot("d9").cooldownUntil()).isNull();
  }

  @Test
  void snapshotsCarryErrorRateAndLatencyAverage() {
    tracker.record("d1", Fault.NONE, null, Duration.ofMillis(100));
    tracker.record("d1", Fault.NONE, null, Duration.ofMillis(200));
    tracker.record("d1", Fault.TRANSIENT, "timeout", Duration.ofMillis(100));
    tracker.record("d1", Fault.NONE, null, Duration.ofMillis(100));
    DeploymentHealth health = tracker.snapshot("d1");
    assertThat(health.errorRate()).isEqualTo(0.25);
    double expected = 100;
    for (double ms : new double[] {200, 100, 100}) {
      expected = HealthTracker.LATENCY_ALPHA * ms + (1 - HealthTracker.LATENCY_ALPHA) * expected;
    }
    assertThat(health.latencyEwmaMs())
        .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(health.recentFailures()).isEqualTo(1);
    assertThat(health.updatedAt()).isEqualTo(START);
    clock.advance(Duration.ofSeconds(61));
    assertThat(tracker.snapshot("d1").errorRate()).isZero();
    assertThat(tracker.snapshots())
        .extracting(DeploymentHealth::deploymentId)
        .containsExactly("d1");
  }

  @Test
  void publishedRecordsMatchTheHealthSchema() {
    fail("d1");
    fail("d1");
    DeploymentHealth cooling = fail("d1").orElseThrow();
    assertThat(Schemas.validate(SchemaName.DEPLOYMENT_HEALTH, Json.tree(cooling))).isEmpty();
    assertThat(Schemas.validate(SchemaName.DEPLOYMENT_HEALTH, Json.tree(tracker.snapshot("d2"))))
        .isEmpty();
  }

  @Test
  void periodicReportsCoverDeploymentsCalledOrHeldWithTheirDispatchesInFlight() {
    tracker.record("d1", Fault.NONE, null, Duration.ofMillis(100));
    List<DeploymentHealth> reports = tracker.periodicReports(Map.of("d1", 3, "d2", 2, "d3", 0));
    assertThat(reports)
        .as("d2 held though not called yet; d3 neither called nor held")
        .extracting(DeploymentHealth::deploymentId, DeploymentHealth::inFlight)
        .containsExactlyInAnyOrder(tuple("d1", 3), tuple("d2", 2));
    assertThat(tracker.periodicReports(Map.of()))
        .extracting(DeploymentHealth::deploymentId, DeploymentHealth::inFlight)
        .containsExactly(tuple("d1", 0));
    clock.advance(Duration.ofSeconds(61));
    assertThat(tracker.periodicReports(Map.of()))
        .as("nothing held, no call within the minute")
        .isEmpty();
    assertThat(tracker.snapshot("d1").inFlight()).as("known only to the periodic reports").isNull();
  }

  @Test
  void everyRecordCarriesTheWorkerIdAndTheCallsItsFiguresCover() {
    HealthTracker named = new HealthTracker(SETTINGS, clock, "worker-7");
    named.record("d1", Fault.NONE, null, Duration.ofMillis(100));
    named.record("d1", Fault.TRANSIENT, "timeout", Duration.ofMillis(100));
    named.record("d1", Fault.TRANSIENT, "timeout", Duration.ofMillis(100));
    DeploymentHealth cooling =
        named.record("d1", Fault.TRANSIENT, "timeout", Duration.ofMillis(100)).orElseThrow();
    assertThat(cooling.workerId()).isEqualTo("worker-7");
    assertThat(cooling.recentCalls()).isEqualTo(4);
    assertThat(named.snapshot("d1").workerId()).isEqualTo("worker-7");
    assertThat(tracker.workerId())
        .as("a random id by default")
        .isNotBlank()
        .isNotEqualTo(new HealthTracker(SETTINGS, clock).workerId());
  }

  private Optional<DeploymentHealth> fail(String deploymentId) {
    return tracker.record(
        deploymentId, ProviderResponse.http(503, Map.of(), null, null, Duration.ofMillis(5)));
  }
}
