package io.switchboard.router.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.config.WorkerSettings;
import io.switchboard.schemas.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the router keeps and merges the reports of several workers on one deployment. */
class HealthReportsTest {
  static final Instant T = Instant.parse("2026-11-22T10:00:00Z");
  static final Duration KEEP = Duration.ofSeconds(30);

  static DeploymentHealth report(
      String worker, Instant at, int inFlight, double latency, int calls) {
    return new DeploymentHealth("chat-a", null, null, 0, 0.0, latency, at, worker, inFlight, calls);
  }

  @Test
  void everyWorkersLatestReportIsKeptAndTheirCountsAddUp() {
    HealthReports r =
        HealthReports.NONE
            .with(report("w1", T, 3, 100, 10), KEEP)
            .with(report("w2", T.plusSeconds(1), 5, 400, 30), KEEP)
            .with(report("w1", T.plusSeconds(2), 4, 100, 10), KEEP);
    assertThat(r.reports()).extracting(DeploymentHealth::workerId).containsExactly("w2", "w1");
    DeploymentHealth merged = r.merged();
    assertThat(merged.inFlight()).isEqualTo(9);
    assertThat(merged.recentCalls()).isEqualTo(40);
    assertThat(merged.latencyEwmaMs())
        .as("weighted by calls: (100*10 + 400*30) / 40")
        .isEqualTo(325.0);
    assertThat(merged.updatedAt()).isEqualTo(T.plusSeconds(2));
    assertThat(merged.workerId()).as("several workers").isNull();
  }

  @Test
  void theLimitsLearnedLastWinAndTiesGoToTheLatestReport() {
    DeploymentHealth early = report("w1", T.plusSeconds(5), 0, 0, 1).withLearned(300, 9_000, T);
    DeploymentHealth later = report("w2", T, 0, 0, 1).withLearned(250, null, T.plusSeconds(1));
    DeploymentHealth none = report("w3", T.plusSeconds(9), 0, 0, 1);
    DeploymentHealth merged = HealthReports.merge(List.of(early, later, none));
    assertThat(merged.learnedRpm()).isEqualTo(250);
    assertThat(merged.learnedTpm()).isNull();
    assertThat(merged.learnedAt()).isEqualTo(T.plusSeconds(1));

    DeploymentHealth echo =
        report("w1", T.plusSeconds(7), 0, 0, 1).withLearned(280, null, T.plusSeconds(1));
    assertThat(HealthReports.merge(List.of(later, echo)).learnedRpm()).isEqualTo(280);
    assertThat(HealthReports.merge(List.of(none)).learnedAt()).isNull();
  }

  @Test
  void errorRateIsWeightedByCallsAndALatencyOf0IsNotAMeasurement() {
    DeploymentHealth a = new DeploymentHealth("chat-a", null, null, 1, 0.5, 0, T, "w1", 0, 10);
    DeploymentHealth b = new DeploymentHealth("chat-a", null, null, 2, 0.0, 200, T, "w2", 2, 30);
    DeploymentHealth merged = HealthReports.merge(List.of(a, b));
    assertThat(merged.errorRate()).isEqualTo(0.125);
    assertThat(merged.latencyEwmaMs()).isEqualTo(200.0);
    assertThat(merged.recentFailures()).isEqualTo(3);
  }

  @Test
  void reportsWithoutCountsWeighAsOneCallAndLeaveTheCountsUnknown() {
    DeploymentHealth a = new DeploymentHealth("chat-a", null, null, 0, 0.2, 100, T);
    DeploymentHealth b = new DeploymentHealth("chat-a", null, null, 0, 0.4, 300, T);
    DeploymentHealth merged = HealthReports.merge(List.of(a, b));
    assertThat(merged.latencyEwmaMs()).isEqualTo(200.0);
    assertThat(merged.errorRate()).isCloseTo(0.3, within(1e-12));
    assertThat(merged.inFlight()).isNull();
    assertThat(merged.recentCalls()).isNull();
    assertThat(HealthReports.merge(List.of(a))).isEqualTo(a);
    assertThat(HealthReports.merge(List.of())).isNull();
  }

  @Test
  void theLatestCooldownOfAnyWorkerHoldsWhateverOthersReportAfterIt() {
    DeploymentHealth cooling =
        new DeploymentHealth("chat-a", T.plusSeconds(60), "3 failures", 3, 1.0, 50, T, "w1", 0, 3);
    DeploymentHealth shorter =
        new DeploymentHealth("chat-a", T.plusSeconds(20), "HTTP 401", 1, 1.0, 50, T, "w3", 0, 1);
    HealthReports r =
        HealthReports.NONE
            .with(cooling, KEEP)
            .with(shorter, KEEP)
            .with(report("w2", T.plusSeconds(5), 0, 80, 20), KEEP);
    assertThat(r.merged().cooldownUntil()).isEqualTo(T.plusSeconds(60));
    assertThat(r.merged().reason()).isEqualTo("3 failures");
    assertThat(r.merged().coolingDownAt(T.plusSeconds(59))).isTrue();
  }

  @Test
  void aWorkerWithoutIdIsOneWorkerWhoseNextReportReplacesTheLast() {
    DeploymentHealth cooling =
        new DeploymentHealth("chat-a", T.plusSeconds(60), "test", 3, 1.0, 10, T);
    DeploymentHealth over =
        new DeploymentHealth("chat-a", T.minusSeconds(1), "test", 3, 1.0, 10, T.plusSeconds(1));
    assertThat(
            HealthReports.NONE
                .with(cooling, KEEP)
                .with(over, KEEP)
                .merged()
                .coolingDownAt(T.plusSeconds(2)))
        .isFalse();
  }

  @Test
  void reportsLeftBehindByTheNewestAreDroppedUnlessTheyStillHoldACooldown() {
    DeploymentHealth gone = report("gone", T, 7, 100, 10);
    DeploymentHealth coolingGone =
        new DeploymentHealth(
            "chat-a", T.plusSeconds(120), "HTTP 401", 1, 1.0, 0, T, "cooling", 0, 1);
    HealthReports r =
        HealthReports.NONE
            .with(gone, KEEP)
            .with(coolingGone, KEEP)
            .with(report("live", T.plus(KEEP), 1, 100, 10), KEEP);
    assertThat(r.reports())
        .extracting(DeploymentHealth::workerId)
        .containsExactly("gone", "cooling", "live");
    r = r.with(report("live", T.plus(KEEP).plusMillis(1), 1, 100, 10), KEEP);
    assertThat(r.reports())
        .extracting(DeploymentHealth::workerId)
        .containsExactly("cooling", "live");
  }

  @Test
  void freshMergesOnlyTheReportsWithinTheTtl() {
    HealthReports r =
        HealthReports.NONE
            .with(report("old", T, 9, 900, 10), KEEP)
            .with(report("new", T.plusSeconds(20), 1, 100, 10), KEEP);
    Duration ttl = Duration.ofSeconds(10);
    assertThat(r.fresh(T.plusSeconds(25), ttl).inFlight()).isEqualTo(1);
    assertThat(r.fresh(T.plusSeconds(25), ttl).latencyEwmaMs()).isEqualTo(100.0);
    assertThat(r.fresh(T.plusSeconds(31), ttl)).isNull();
    assertThat(r.merged().inFlight()).as("kept, though not fresh").isEqualTo(10);
  }

  @Test
  void theTtlIsThreePublishIntervalsAndASecondOrAMinuteWithoutPeriodicReports() {
    assertThat(HealthReports.ttl(WorkerSettings.DEFAULT)).isEqualTo(Duration.ofSeconds(31));
    assertThat(
            HealthReports.ttl(
                new WorkerSettings(
                    null, null, null, null, null, 200L, null, null, null, null, null, null)))
        .isEqualTo(Duration.ofMillis(1600));
    assertThat(
            HealthReports.ttl(
                new WorkerSettings(
                    null, null, null, null, null, 0L, null, null, null, null, null, null)))
        .isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void theStoreFormRoundTripsAndASingleRecordReadsAsOneReport() {
    HealthReports r =
        HealthReports.NONE
            .with(report("w1", T, 3, 100, 10), KEEP)
            .with(report("w2", T, 5, 400, 30), KEEP);
    assertThat(HealthReports.fromBytes(r.toBytes())).isEqualTo(r);
    DeploymentHealth single =
        new DeploymentHealth("chat-a", T.plusSeconds(60), "test", 3, 1.0, 10, T);
    assertThat(HealthReports.fromBytes(Json.toBytes(single)).reports()).containsExactly(single);
    assertThatThrownBy(() -> HealthReports.fromBytes("[1]".getBytes()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HealthReports.fromBytes("{".getBytes()))
        .isInstanceOf(RuntimeException.class);
  }
}
