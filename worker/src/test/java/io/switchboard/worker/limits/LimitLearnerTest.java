package io.switchboard.worker.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.testkit.time.MutableClock;
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
      """,
              "test.yaml");
  private static final DeploymentConfig A1 = CONFIG.deployment("a1").orElseThrow();
  private static final DeploymentConfig FREE = CONFIG.deployment("free").orElseThrow();

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
    assertThat(learner.observe(A1, answer(200, 5, Map.of()))).isFalse();
    assertThat(learner.rpm(A1)).isEqualTo(600);
    assertThat(learner.learned("a1")).isEmpty();
  }

  @Test
  void anAnnouncedLimitIsTheCeilingAtOnceAndFollowsTheProviderUpToTheConfiguredOne() {
    assertThat(learner.observe(A1, answer(200, 5, Map.of("x-ratelimit-limit-requests", "300"))))
        .as("a lower limit is news")
        .isTrue();
    assertThat(learner.rpm(A1)).isEqualTo(300);
    assertThat(learner.tpm(A1)).isEqualTo(100_000);
    assertThat(learner.observe(A1, answer(200, 5, Map.of("x-ratelimit-limit-requests", "300"))))
        .isFalse();
    assertThat(learner.learned("a1"))
        .hasValue(new LimitLearner.Learned(300, 100_000, clock.instant()));

    learner.observe(A1, answer(200, 5, Map.of("x-ratelimit-limit-requests", "450")));
    assertThat(learner.rpm(A1)).as("a raised limit is followed at once").isEqualTo(450);
    learner.observe(A1, answer(200, 5, Map.of("x-ratelimit-limit-requests", "10000")));
    assertThat(learner.rpm(A1)).as("the configured rpm stays the ceiling").isEqualTo(600);
  }

  @Test
  void a429CutsTheRateOncePerRoundAndTheAdmittedAnswersBringItBackWithinAMinuteOfThem() {
    clock.advance(Duration.ofSeconds(1));
    assertThat(learner.observe(A1, limited(50))).isTrue();
    assertThat(learner.rpm(A1)).isEqualTo(480);
    assertThat(learner.tpm(A1)).as("no header says which: both are cut").isEqualTo(80_000);

    // calls sent before the cut answer 429 too: they were sent at the old rate
    clock.advance(Duration.ofMillis(40));
    assertThat(learner.observe(A1, limited(100))).isFalse();
    assertThat(learner.rpm(A1)).isEqualTo(480);

    // one sent after it: the rate is still too high
    clock.advance(Duration.ofMillis(200));
    assertThat(learner.observe(A1, limited(100))).isTrue();
    assertThat(learner.rpm(A1)).isEqualTo(384);

    admit(120); // a quarter of a minute's answers at 480: steep at first
    assertThat(learner.rpm(A1)).isEqualTo(468);
    admit(120); // half: back where the limit was met, and flat there
    assertThat(learner.rpm(A1)).isEqualTo(480);
    admit(120); // probing above it, slowly at first
    assertThat(learner.rpm(A1)).isEqualTo(495);
    admit(120);
    assertThat(learner.rpm(A1)).isEqualTo(600);
    assertThat(learner.tpm(A1)).as("answers without usage admit no tokens").isLessThan(80_000);
    learner.observe(
        A1,
        ProviderResponse.http(
            200, Map.of(), null, new Usage(60_000, 21_000), Duration.ofMillis(5)));
    assertThat(learner.tpm(A1)).isEqualTo(100_000);
  }

  @Test
  void withoutAdmittedAnswersTheRateRecoversOverThreeMinutes() {
    clock.advance(Duration.ofSeconds(1));
    learner.observe(A1, limited(5)); // cut from 600 to 480; then a cooldown, say
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
        answer(
            429,
            5,
            Map.of("x-ratelimit-remaining-requests", "12", "x-ratelimit-remaining-tokens", "0")));
    assertThat(learner.rpm(A1)).isEqualTo(600);
    assertThat(learner.tpm(A1)).isEqualTo(80_000);
  }

  @Test
  void a429BelowAnAnnouncedLimitCutsUnderIt() {
    learner.observe(A1, answer(200, 5, Map.of("x-ratelimit-limit-requests", "300")));
    clock.advance(Duration.ofSeconds(1));
    // another deployment on the same key takes its part of the key's limit
    learner.observe(
        A1,
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
    assertThat(learner.observe(FREE, answer(200, 5, Map.of("x-ratelimit-limit-requests", "300"))))
        .isFalse();
    assertThat(learner.observe(FREE, limited(5))).isFalse();
    assertThat(learner.rpm(FREE)).isNull();
    assertThat(learner.learned("free")).isEmpty();
  }

  @Test
  void aReportLearnedLaterReplacesWhatThisWorkerKnowsAndAnOlderOneDoesNot() {
    clock.advance(Duration.ofSeconds(10));
    learner.observe(A1, limited(5)); // 480, learned at 10 s
    Instant tenSeconds = clock.instant();
    clock.advance(Duration.ofSeconds(1));
    learner.adopt(report(200, tenSeconds.minusSeconds(5)));
    assertThat(learner.rpm(A1)).as("older news").isEqualTo(483);

    learner.adopt(report(200, clock.instant()));
    assertThat(learner.rpm(A1)).isEqualTo(200);
    assertThat(learner.learned("a1").orElseThrow().at()).isEqualTo(clock.instant());
    admit(100); // taken up on its plateau: probing above it with this worker's answers
    assertThat(learner.rpm(A1)).isEqualTo(600);
  }

  @Test
  void stampedReportsCarryTheLearnedRatesAndWhenTheyWereLearned() {
    DeploymentHealth plain = new DeploymentHealth("a1", null, null, 0, 0, 0, clock.instant());
    assertThat(learner.stamp(plain)).isEqualTo(plain);
    learner.observe(A1, answer(200, 5, Map.of("anthropic-ratelimit-requests-limit", "250")));
    DeploymentHealth stamped = learner.stamp(plain);
    assertThat(stamped.learnedRpm()).isEqualTo(250);
    assertThat(stamped.learnedTpm()).isEqualTo(100_000);
    assertThat(stamped.learnedAt()).isEqualTo(clock.instant());
  }

  @Test
  void aDisabledLearnerLearnsNothing() {
    LimitLearner off = new LimitLearner(clock, false);
    assertThat(off.observe(A1, answer(200, 5, Map.of("x-ratelimit-limit-requests", "300"))))
        .isFalse();
    off.adopt(report(100, clock.instant()));
    assertThat(off.rpm(A1)).isEqualTo(600);
    assertThat(off.learned("a1")).isEmpty();
  }

  private void admit(int answers) {
    for (int i = 0; i < answers; i++) {
      learner.observe(A1, answer(200, 5, Map.of()));
    }
  }

  private DeploymentHealth report(int rpm, Instant learnedAt) {
    return new DeploymentHealth("a1", null, null, 0, 0, 0, clock.instant())
        .withLearned(rpm, null, learnedAt);
  }
}
