package io.switchboard.worker.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.PriorityReserve;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.time.MutableClock;
import io.switchboard.worker.health.HealthTracker;
import io.switchboard.worker.pacing.LanePacer;
import io.switchboard.worker.provider.ProviderResponse;
import io.switchboard.worker.retry.OutcomeClassifier;
import io.switchboard.worker.retry.RetryBudget;
import io.switchboard.worker.retry.RetryDecision;
import io.switchboard.worker.retry.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Minutes of a worker against a provider whose real limit is half the configured rpm, simulated on
 * a hand-moved clock in a fraction of a second: the learner, the lanes' pacers and the cooldowns
 * are the real ones; the provider admits at most its limit in any sliding 60 s, as the mock and the
 * providers do, and raises it after three minutes. The same targets as the bench ({@code
 * switchboard bench --real-rpm}): from a minute on fewer than 2% of the calls get a 429 and at
 * least 90% of the real limit is admitted, and the raised limit is followed within a minute,
 * whether the provider announces its limit in headers or answers only with 429s.
 */
class LearnedLimitSimulationTest {
  private static final SwitchboardConfig CONFIG =
      new ConfigLoader(Map.<String, String>of()::get)
          .parse(
              """
      model_list:
        - {model_name: limited, deployment_id: limited-a, api_base: "http://127.0.0.1:1", rpm: 600, lanes: 2}
      """,
              "simulation.yaml");
  private static final DeploymentConfig DEPLOYMENT = CONFIG.deployment("limited-a").orElseThrow();

  @Test
  @Timeout(20)
  void withHeadersTheLimitIsLearnedWithinAMinuteAndTheRiseFollowed() {
    assertMeetsTheTargets(Simulation.run(new Scenario(300, 600, true, 20)));
  }

  @Test
  @Timeout(20)
  void from429sAloneTheLimitIsLearnedWithinAMinuteAndTheRiseFollowedByProbing() {
    assertMeetsTheTargets(Simulation.run(new Scenario(300, 600, false, 20)));
  }

  @Test
  @Timeout(20)
  void from429sAloneARiseIsFollowedWithinAMinuteWhenRaisedAtAnyPointOfTheProbing() {
    for (long riseMs = 190_000; riseMs < 250_000; riseMs += 10_000) {
      Result r = Simulation.run(new Scenario(300, 600, false, 20, riseMs));
      assertThat(r.followSeconds()).as("seconds to follow the rise: %s", r).isBetween(0, 60);
    }
  }

  @Test
  @Timeout(20)
  void from429sAloneSecondLongCallsMeetTheTargetsToo() {
    assertMeetsTheTargets(Simulation.run(new Scenario(300, 600, false, 1_000)));
  }

  private static void assertMeetsTheTargets(Result r) {
    assertThat(r.settledLimitedShare())
        .as("429 share from 60 s to the rise: %s", r)
        .isLessThan(0.02);
    assertThat(r.settledAdmittedPerMinute())
        .as("admitted per minute from 60 s to the rise: %s", r)
        .isGreaterThanOrEqualTo(0.9 * r.scenario().realRpm());
    assertThat(r.followSeconds()).as("seconds to follow the rise: %s", r).isBetween(0, 60);
    assertThat(r.raisedLimitedShare()).as("429 share after the rise: %s", r).isLessThan(0.02);
    assertThat(r.raisedAdmittedPerMinute())
        .as("admitted per minute a minute after the rise: %s", r)
        .isGreaterThanOrEqualTo(0.9 * r.scenario().raisedRpm());
  }

  /**
   * @param realRpm what the provider admits in any 60 s until the rise
   * @param raisedRpm what it admits from the rise on
   * @param headers whether its answers announce the limit
   * @param latencyMs how long an admitted call takes
   */
  record Scenario(int realRpm, int raisedRpm, boolean headers, long latencyMs, long riseMs) {
    static final long SETTLE_MS = 60_000;

    Scenario(int realRpm, int raisedRpm, boolean headers, long latencyMs) {
      this(realRpm, raisedRpm, headers, latencyMs, 180_000);
    }

    long endMs() {
      return riseMs + 150_000;
    }

    /** The end of the whole minutes from {@link #SETTLE_MS} to the rise. */
    long settledEndMs() {
      return SETTLE_MS + (riseMs - SETTLE_MS) / 60_000 * 60_000;
    }

    /** Requests per minute offered: 1.1 times the configured rpm, as the bench does. */
    double offeredPerMinute() {
      return DEPLOYMENT.rpm() * 1.1;
    }

    int limitAt(long ms) {
      return ms < riseMs ? realRpm : raisedRpm;
    }
  }

  /** One call as the provider saw it. */
  record Call(long atMs, int status) {}

  /** The bench's figures of one simulated run. */
  record Result(Scenario scenario, List<Call> calls) {
    double settledLimitedShare() {
      return limitedShare(Scenario.SETTLE_MS, scenario.settledEndMs());
    }

    double settledAdmittedPerMinute() {
      return admitted(Scenario.SETTLE_MS, scenario.settledEndMs())
          * 60_000.0
          / (scenario.settledEndMs() - Scenario.SETTLE_MS);
    }

    double raisedLimitedShare() {
      return limitedShare(scenario.riseMs() + 60_000, scenario.riseMs() + 120_000);
    }

    double raisedAdmittedPerMinute() {
      return admitted(scenario.riseMs() + 60_000, scenario.riseMs() + 120_000);
    }

    /** Seconds from the rise until 10 s of admitted calls first reach 90% of the raised rate. */
    int followSeconds() {
      double needed = 0.9 * scenario.raisedRpm() * 10 / 60.0;
      for (long from = scenario.riseMs(); from + 10_000 <= scenario.endMs(); from += 1_000) {
        if (admitted(from, from + 10_000) >= needed) {
          return (int) ((from + 10_000 - scenario.riseMs()) / 1000);
        }
      }
      return -1;
    }

    private double limitedShare(long from, long to) {
      long all = calls.stream().filter(c -> c.atMs() >= from && c.atMs() < to).count();
      long limited =
          calls.stream()
              .filter(c -> c.atMs() >= from && c.atMs() < to && c.status() == 429)
              .count();
      return all == 0 ? 0 : (double) limited / all;
    }

    private long admitted(long from, long to) {
      return calls.stream()
          .filter(c -> c.atMs() >= from && c.atMs() < to && c.status() == 200)
          .count();
    }

    @Override
    public String toString() {
      StringBuilder s =
          new StringBuilder(
              String.format(
                  "%s: 429s %.2f%%, admitted %.0f/min; followed in %d s; after the rise 429s %.2f%%,"
                      + " admitted %.0f/min; per 10 s (calls/429s):",
                  scenario,
                  100 * settledLimitedShare(),
                  settledAdmittedPerMinute(),
                  followSeconds(),
                  100 * raisedLimitedShare(),
                  raisedAdmittedPerMinute()));
      for (long from = 0; from < scenario.endMs(); from += 10_000) {
        long f = from;
        long all = calls.stream().filter(c -> c.atMs() >= f && c.atMs() < f + 10_000).count();
        long limited =
            calls.stream()
                .filter(c -> c.atMs() >= f && c.atMs() < f + 10_000 && c.status() == 429)
                .count();
        s.append(' ').append(all).append('/').append(limited);
      }
      return s.toString();
    }
  }

  /** The provider: at most its limit admitted in any sliding 60 s, as {@code MockProvider} does. */
  private static final class Provider {
    private static final ObjectNode COMPLETION =
        (ObjectNode)
            Json.parse(
                "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
                    + "\"finish_reason\":\"stop\"}]}");
    private final Scenario scenario;
    private final ArrayDeque<Long> admitted = new ArrayDeque<>();
    private final List<Call> calls = new ArrayList<>();

    Provider(Scenario scenario) {
      this.scenario = scenario;
    }

    /** Answers a call arriving at {@code ms}. */
    ProviderResponse call(long ms) {
      while (!admitted.isEmpty() && ms - admitted.peekFirst() >= 60_000) {
        admitted.pollFirst();
      }
      int limit = scenario.limitAt(ms);
      Map<String, String> headers = new HashMap<>();
      if (admitted.size() >= limit) {
        long wait = Math.max(1, admitted.peekFirst() + 60_000 - ms);
        headers.put("retry-after", Long.toString((wait + 999) / 1000));
        headers.put("retry-after-ms", Long.toString(wait));
        headers.put("x-ratelimit-remaining-requests", "0");
        if (scenario.headers()) {
          headers.put("x-ratelimit-limit-requests", Integer.toString(limit));
        }
        calls.add(new Call(ms, 429));
        return ProviderResponse.http(429, headers, null, null, Duration.ofMillis(1));
      }
      admitted.addLast(ms);
      if (scenario.headers()) {
        headers.put("x-ratelimit-limit-requests", Integer.toString(limit));
        headers.put("x-ratelimit-remaining-requests", Integer.toString(limit - admitted.size()));
      }
      calls.add(new Call(ms, 200));
      return ProviderResponse.http(
          200, headers, COMPLETION, null, Duration.ofMillis(scenario.latencyMs()));
    }
  }

  /**
   * One worker owning both lanes, moved from one event to the next by the millisecond: requests
   * arrive at the offered rate, each lane starts what its pacer allows (retries first), answers
   * come back after their latency and are learned from as the worker does; a 429 is retried as the
   * retry policy decides, and while the deployment cools down nothing starts (the router holds the
   * requests).
   */
  private static final class Simulation {
    private static final Instant T0 = Instant.parse("2026-05-01T00:00:00Z");

    private final Scenario scenario;
    private final MutableClock clock = new MutableClock(T0);
    private final LimitLearner learner = new LimitLearner(clock, true);
    private final HealthTracker health =
        new HealthTracker(CONFIG.routerSettings(), clock, "simulated", learner);
    private final RetryPolicy retryPolicy = new RetryPolicy(clock, new SplittableRandom(7));
    private final RetryBudget budget = RetryBudget.of(DEPLOYMENT, CONFIG.routerSettings());
    private final Provider provider;
    private final List<Lane> lanes = new ArrayList<>();
    private final PriorityQueue<Answer> answers =
        new PriorityQueue<>((a, b) -> Long.compare(a.atMs, b.atMs));

    private record Answer(long atMs, Lane lane, int retries, ProviderResponse response) {}

    private record Retry(long atMs, int retries) {}

    private final class Lane {
      final int partition = lanes.size();
      final LanePacer pacer = LanePacer.forLane(DEPLOYMENT, learner, PriorityReserve.NONE, clock);
      final ArrayDeque<Integer> queued = new ArrayDeque<>();
      final PriorityQueue<Retry> retries =
          new PriorityQueue<>((a, b) -> Long.compare(a.atMs, b.atMs));
      long wakeAtMs;

      void start(long ms) {
        if (ms < wakeAtMs) {
          return;
        }
        while (true) {
          boolean retry = !retries.isEmpty() && retries.peek().atMs() <= ms;
          if (!retry && queued.isEmpty()) {
            return;
          }
          var permit = pacer.tryAcquire(0);
          if (permit.isEmpty()) {
            wakeAtMs = ms + Math.max(1, pacer.delayUntilAvailable(0).toMillis());
            return;
          }
          int tries = retry ? retries.poll().retries() : queued.poll();
          pacer.sent(permit.get());
          pacer.settle(permit.get(), 0);
          ProviderResponse response = provider.call(ms);
          answers.add(new Answer(ms + response.latency().toMillis(), this, tries, response));
        }
      }
    }

    private Simulation(Scenario scenario) {
      this.scenario = scenario;
      this.provider = new Provider(scenario);
      for (int i = 0; i < DEPLOYMENT.lanes(); i++) {
        lanes.add(new Lane());
      }
    }

    static Result run(Scenario scenario) {
      Simulation s = new Simulation(scenario);
      s.loop();
      return new Result(scenario, s.provider.calls);
    }

    private void loop() {
      double gapMs = 60_000 / scenario.offeredPerMinute();
      long arrived = 0;
      for (long ms = 0; ms < scenario.endMs(); ms = next(ms, (long) Math.ceil(arrived * gapMs))) {
        clock.set(T0.plusMillis(ms));
        while (arrived * gapMs <= ms) {
          lanes.get((int) (arrived % lanes.size())).queued.add(0);
          arrived++;
        }
        while (!answers.isEmpty() && answers.peek().atMs() <= ms) {
          answered(answers.poll(), ms);
        }
        if (health.coolingDown(DEPLOYMENT.deploymentId())) {
          continue;
        }
        for (Lane lane : lanes) {
          lane.start(ms);
        }
      }
    }

    /** The next millisecond at which something can happen: nothing changes in between. */
    private long next(long ms, long nextArrival) {
      long next = nextArrival;
      if (!answers.isEmpty()) {
        next = Math.min(next, answers.peek().atMs());
      }
      var cooling = health.cooldownUntil(DEPLOYMENT.deploymentId());
      long ready = cooling.map(until -> until.toEpochMilli() - T0.toEpochMilli()).orElse(ms);
      for (Lane lane : lanes) {
        long work =
            !lane.queued.isEmpty()
                ? ms
                : lane.retries.isEmpty() ? Long.MAX_VALUE : lane.retries.peek().atMs();
        next = Math.min(next, Math.max(Math.max(work, lane.wakeAtMs), ready));
      }
      return Math.max(ms + 1, next);
    }

    /** What the worker does with an answer (as {@code CallOutcomes}): learn, count, retry. */
    private void answered(Answer a, long ms) {
      LimitLearner.Lesson lesson = learner.observe(DEPLOYMENT, a.lane().partition, a.response());
      health.record(
          DEPLOYMENT.deploymentId(), a.response(), OutcomeClassifier.fault(a.response()), lesson);
      RetryDecision decision =
          retryPolicy.decide(a.response(), a.retries(), budget, false, DEPLOYMENT.backoff(), null);
      if (decision.outcome() == Outcome.RETRY) {
        a.lane().retries.add(new Retry(ms + decision.delay().toMillis(), a.retries() + 1));
      }
    }
  }
}
