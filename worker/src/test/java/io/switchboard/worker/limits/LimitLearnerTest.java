package io.switchboard.worker.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.testkit.time.MutableClock;
import io.switchboard.worker.pacing.LanePacer;
import io.switchboard.worker.provider.ProviderResponse;
import io.switchboard.worker.provider.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitLearnerTest {
  private static final SwitchboardConfig CONFIG =
      new ConfigLoader(Map.<String, String>of()::get)
          .parse(
              """
      model_list:
        - {model_name: a, deployment_id: a1, api_base: "http://127.0.0.1:1", rpm: 600, tpm: 100000}
        - {model_name: b, deployment_id: free, api_base: "http://127.0.0.1:1"}
        - {model_name: c, deployment_id: two, api_base: "http://127.0.0.1:1", rpm: 600, lanes: 2}
      """,
              "test.yaml");
  private static final DeploymentConfig A1 = CONFIG.deployment("a1").orElseThrow();
  private static final DeploymentConfig FREE = CONFIG.deployment("free").orElseThrow();
  private static final DeploymentConfig TWO = CONFIG.deployment("two").orElseThrow();

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
  private final LimitLearner learner = new LimitLearner(clock, true);

  private static ProviderResponse answer(int status, long latencyMs, Map<String, String> headers) {
    return ProviderResponse.http(status, headers, null, null, Duration.ofMillis(latencyMs));
  }

  private static ProviderResponse limited(long latencyMs) {
    return answer(429, latencyMs, Map.of("retry-after", "1"));
  }

  @Test
  void nothingLearnedPacesAtTheConfiguredLimits() {
    assertThat(learner.rpm(A1)).isEqualTo(600);
    assertThat(learner.tpm(A1)).isEqualTo(100_000);
    assertThat(learner.observe(A1, 0, answer(200, 5, Map.of())).cut()).isFalse();
    assertThat(learner.rpm(A1)).isEqualTo(600);
    assertThat(learner.learned("a1")).isEmpty();
  }

  @Test
  void anAnnouncedLimitIsTheCeilingAtOnceAndFollowsTheProviderUpToTheConfiguredOne() {
    assertThat(
            learner
                .observe(A1, 0, answer(200, 5, Map.of("x-ratelimit-limit-requests", "300")))
                .cut())
        .as("a lower limit is news")
        .isTrue();
    assertThat(learner.rpm(A1)).isEqualTo(300);
    assertThat(learner.tpm(A1)).isEqualTo(100_000);
    assertThat(
            learner
                .observe(A1, 0, answer(200, 5, Map.of("x-ratelimit-limit-requests", "300")))
                .cut())
        .isFalse();
    assertThat(learner.learned("a1"))
        .hasValue(new LimitLearner.Learned(300, 100_000, clock.instant()));

    learner.observe(A1, 0, answer(200, 5, Map.of("x-ratelimit-limit-requests", "450")));
    assertThat(learner.rpm(A1)).as("a raised limit is followed at once").isEqualTo(450);
    learner.observe(A1, 0, answer(200, 5, Map.of("x-ratelimit-limit-requests", "10000")));
    assertThat(learner.rpm(A1)).as("the configured rpm stays the ceiling").isEqualTo(600);
  }

  @Test
  void a429CutsTheRateOncePerRoundAndTheAdmittedAnswersBringItBackWithinHalfAMinuteOfThem() {
    clock.advance(Duration.ofSeconds(1));
    assertThat(learner.observe(A1, 0, limited(50)).cut()).isTrue();
    assertThat(learner.rpm(A1)).isEqualTo(480);
    assertThat(learner.tpm(A1)).as("no header says which: both are cut").isEqualTo(80_000);

    // calls sent before the cut answer 429 too: they were sent at the old rate
    clock.advance(Duration.ofMillis(40));
    assertThat(learner.observe(A1, 0, limited(100)).cut()).isFalse();
    assertThat(learner.rpm(A1)).isEqualTo(480);

    // one sent after it: the rate is still too high
    clock.advance(Duration.ofMillis(200));
    assertThat(learner.observe(A1, 0, limited(100)).cut()).isTrue();
    assertThat(learner.rpm(A1)).isEqualTo(384);

    admit(60); // an eighth of a minute's answers at 480: steep at first
    assertThat(learner.rpm(A1)).isEqualTo(468);
    admit(60); // a quarter: back where the limit was met, and flat there
    assertThat(learner.rpm(A1)).isEqualTo(480);
    admit(60); // probing above it, slowly at first
    assertThat(learner.rpm(A1)).isEqualTo(495);
    admit(59);
    assertThat(learner.rpm(A1)).isLessThan(600);
    admit(1);
    assertThat(learner.rpm(A1)).isEqualTo(600);
    assertThat(learner.tpm(A1)).as("answers without usage admit no tokens").isLessThan(80_000);
    learner.observe(
        A1,
        0,
        ProviderResponse.http(
            200, Map.of(), null, new Usage(60_000, 21_000), Duration.ofMillis(5)));
    assertThat(learner.tpm(A1)).isEqualTo(100_000);
  }

  @Test
  void a429AfterAFullMinuteNeverCutsBelowJustUnderWhatTheMinuteAdmittedAndIsThePacings() {
    admitOverAMinute(A1, 0, 300);
    assertThat(learner.observe(A1, 0, limited(5))).isEqualTo(new LimitLearner.Lesson(true, true));
    assertThat(learner.rpm(A1)).as("a fifth at most per round").isEqualTo(480);
    int[] expected = {384, 307, 270, 270, 270};
    for (int rpm : expected) {
      clock.advance(Duration.ofMillis(200));
      LimitLearner.Lesson lesson = learner.observe(A1, 0, limited(5));
      assertThat(lesson.paced()).as("the minute is full: the pacing's 429").isTrue();
      assertThat(learner.rpm(A1)).isEqualTo(rpm);
    }

    admitOver(A1, 0, 75, Duration.ofSeconds(15)); // half the recovery: back to the minute's limit
    assertThat(learner.rpm(A1)).isEqualTo(300);
    admitOver(A1, 0, 60, Duration.ofSeconds(12)); // probing above it
    assertThat(learner.rpm(A1)).isGreaterThan(400);
    clock.advance(Duration.ofMillis(200));
    learner.observe(A1, 0, limited(5));
    assertThat(learner.rpm(A1))
        .as("a 429 while probing cuts under the limit the last one showed at once, not by a fifth")
        .isBetween(260, 299);
  }

  @Test
  void a429AfterTheRecoveryCutsUnderTheLimitTheLastOneShowedAtOnce() {
    admitOverAMinute(A1, 0, 300);
    for (int i = 0; i < 4; i++) {
      clock.advance(Duration.ofMillis(200));
      learner.observe(A1, 0, limited(5));
    }
    assertThat(learner.rpm(A1)).isEqualTo(270);
    admitOverAMinute(A1, 0, 300); // recovered to the ceiling and probing there
    assertThat(learner.rpm(A1)).isEqualTo(600);
    clock.advance(Duration.ofMillis(200));
    learner.observe(A1, 0, limited(5));
    assertThat(learner.rpm(A1)).as("not 480: the limit was met at 300").isEqualTo(270);
  }

  @Test
  void aWorkerPacingSomeOfTheLanesCountsWhatItsLanesWereAdmittedForAll() {
    admitOverAMinute(TWO, 1, 150); // the other lane is another worker's
    clock.advance(Duration.ofMillis(200));
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofMillis(200));
      learner.observe(TWO, 1, limited(5));
    }
    assertThat(learner.rpm(TWO))
        .as("not 600 x 0.8^5 = 196: this worker's 150 are half the deployment's")
        .isBetween(260, 270);
  }

  @Test
  void a429WithNothingAdmittedInTheLastMinuteCountsAsAFailureAndAnExhaustedQuotaTeachesNothing() {
    assertThat(learner.observe(A1, 0, limited(5))).isEqualTo(new LimitLearner.Lesson(true, false));
    ProviderResponse quota =
        ProviderResponse.http(
            429,
            Map.of(),
            (com.fasterxml.jackson.databind.node.ObjectNode)
                io.switchboard.schemas.json.Json.parse(
                    "{\"error\":{\"code\":\"insufficient_quota\",\"message\":\"quota\"}}"),
            null,
            Duration.ofMillis(5));
    clock.advance(Duration.ofMillis(200));
    assertThat(learner.observe(A1, 0, quota)).isEqualTo(LimitLearner.Lesson.NONE);
    assertThat(learner.rpm(A1)).isEqualTo(480);
  }

  @Test
  void requestsAreSpacedEvenlyWhileTheRateIsLearnedBelowTheConfiguredOneAndAWindowAfter() {
    assertThat(learner.evenly(A1)).isFalse();
    admitOverAMinute(A1, 0, 300);
    learner.observe(A1, 0, limited(5));
    assertThat(learner.evenly(A1)).isTrue();
    clock.advance(LimitLearner.IDLE_RECOVERY);
    assertThat(learner.rpm(A1)).isEqualTo(600);
    assertThat(learner.evenly(A1)).as("the lanes' windows fill evenly first").isTrue();
    clock.advance(Duration.ofMillis(LanePacer.WINDOW_MS));
    assertThat(learner.evenly(A1)).isFalse();
    assertThat(new LimitLearner(clock, false).evenly(A1)).isFalse();
  }

  @Test
  void withoutAdmittedAnswersTheRateRecoversOverThreeMinutes() {
    clock.advance(Duration.ofSeconds(1));
    learner.observe(A1, 0, limited(5)); // cut from 600 to 480; then a cooldown, say
    clock.advance(Duration.ofSeconds(45));
    assertThat(learner.rpm(A1)).isEqualTo(585);
    clock.advance(LimitLearner.IDLE_RECOVERY.minusSeconds(45));
    assertThat(learner.rpm(A1)).isEqualTo(600);
  }

  @Test
  void a429ShowingOnlyTokensExhaustedCutsOnlyTokens() {
    clock.advance(Duration.ofSeconds(1));
    learner.observe(
        A1,
        0,
        answer(
            429,
            5,
            Map.of("x-ratelimit-remaining-requests", "12", "x-ratelimit-remaining-tokens", "0")));
    assertThat(learner.rpm(A1)).isEqualTo(600);
    assertThat(learner.tpm(A1)).isEqualTo(80_000);
  }

  @Test
  void a429BelowAnAnnouncedLimitCutsUnderIt() {
    learner.observe(A1, 0, answer(200, 5, Map.of("x-ratelimit-limit-requests", "300")));
    clock.advance(Duration.ofSeconds(1));
    // another deployment on the same key takes its part of the key's limit
    learner.observe(
        A1,
        0,
        answer(
            429,
            5,
            Map.of("x-ratelimit-limit-requests", "300", "x-ratelimit-remaining-requests", "0")));
    assertThat(learner.rpm(A1)).isEqualTo(240);
    clock.advance(LimitLearner.IDLE_RECOVERY);
    assertThat(learner.rpm(A1)).isEqualTo(300);
  }

  @Test
  void aDeploymentWithoutConfiguredLimitsLearnsNothing() {
    assertThat(
            learner
                .observe(FREE, 0, answer(200, 5, Map.of("x-ratelimit-limit-requests", "300")))
                .cut())
        .isFalse();
    assertThat(learner.observe(FREE, 0, limited(5)).cut()).isFalse();
    assertThat(learner.rpm(FREE)).isNull();
    assertThat(learner.learned("free")).isEmpty();
  }

  @Test
  void aReportLearnedLaterReplacesWhatThisWorkerKnowsAndAnOlderOneDoesNot() {
    clock.advance(Duration.ofSeconds(10));
    learner.observe(A1, 0, limited(5)); // 480, learned at 10 s
    Instant tenSeconds = clock.instant();
    clock.advance(Duration.ofSeconds(1));
    learner.adopt(report(200, tenSeconds.minusSeconds(5)));
    assertThat(learner.rpm(A1)).as("older news").isEqualTo(483);

    learner.adopt(report(200, clock.instant()));
    assertThat(learner.rpm(A1)).isEqualTo(200);
    assertThat(learner.learned("a1").orElseThrow().at()).isEqualTo(clock.instant());
    admit(49); // taken up on its plateau: probing above it with this worker's answers
    assertThat(learner.rpm(A1)).isBetween(201, 599);
    admit(1);
    assertThat(learner.rpm(A1)).isEqualTo(600);
  }

  @Test
  void stampedReportsCarryTheLearnedRatesAndWhenTheyWereLearned() {
    DeploymentHealth plain = new DeploymentHealth("a1", null, null, 0, 0, 0, clock.instant());
    assertThat(learner.stamp(plain)).isEqualTo(plain);
    learner.observe(A1, 0, answer(200, 5, Map.of("anthropic-ratelimit-requests-limit", "250")));
    DeploymentHealth stamped = learner.stamp(plain);
    assertThat(stamped.learnedRpm()).isEqualTo(250);
    assertThat(stamped.learnedTpm()).isEqualTo(100_000);
    assertThat(stamped.learnedAt()).isEqualTo(clock.instant());
  }

  @Test
  void aDisabledLearnerLearnsNothing() {
    LimitLearner off = new LimitLearner(clock, false);
    assertThat(
            off.observe(A1, 0, answer(200, 5, Map.of("x-ratelimit-limit-requests", "300"))).cut())
        .isFalse();
    off.adopt(report(100, clock.instant()));
    assertThat(off.rpm(A1)).isEqualTo(600);
    assertThat(off.learned("a1")).isEmpty();
  }

  /** {@code answers} admitted on {@code lane}, evenly over the minute to now. */
  private void admitOverAMinute(DeploymentConfig deployment, int lane, int answers) {
    admitOver(deployment, lane, answers, Duration.ofSeconds(59));
  }

  private void admitOver(DeploymentConfig deployment, int lane, int answers, Duration span) {
    for (int i = 0; i < answers; i++) {
      clock.advance(span.dividedBy(answers));
      learner.observe(deployment, lane, answer(200, 5, Map.of()));
    }
  }

  private void admit(int answers) {
    for (int i = 0; i < answers; i++) {
      learner.observe(A1, 0, answer(200, 5, Map.of()));
    }
  }

  private DeploymentHealth report(int rpm, Instant learnedAt) {
    return new DeploymentHealth("a1", null, null, 0, 0, 0, clock.instant())
        .withLearned(rpm, null, learnedAt);
  }
}
