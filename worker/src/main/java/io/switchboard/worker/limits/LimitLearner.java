package io.switchboard.worker.limits;

import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.worker.pacing.PaceLimits;
import io.switchboard.worker.provider.ProviderResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the provider really allows each deployment, learned from its answers: every lane paces at it
 * (as {@link PaceLimits}) and the worker shares it on the health topic, where the router's budgets
 * and the other workers' pacers take it up.
 *
 * <p>The rules, for requests and tokens alike, and only for a limit the deployment configures (its
 * {@code rpm} or {@code tpm} is the ceiling; nothing is learned above it or without it):
 *
 * <ol>
 *   <li>Header: a limit the provider announces ({@link RateLimitHeaders}) becomes the ceiling at
 *       once, lower or higher, on every answer that carries it.
 *   <li>429: the rate drops to {@value #DECREASE} of what it is (multiplicative decrease), once per
 *       round: a 429 of a call started before the last cut was sent at the old rate and says
 *       nothing new. A 429 whose headers show only requests or only tokens exhausted (remaining 0)
 *       cuts that one; otherwise both.
 *   <li>Recovery: after a cut the rate climbs back by the answers (and tokens) the provider admits:
 *       to where it was cut from within half a minute of them, then probing above, up to the
 *       ceiling after a minute of them (a cubic, as TCP CUBIC: long near the rate that met the
 *       limit, fast far from it), so a limit the provider raised is found within about a minute
 *       even without headers. Without admitted answers it recovers over {@link #IDLE_RECOVERY}.
 *   <li>Sharing: a report on the health topic carries the rate and when it was learned; one learned
 *       later than what this worker knows replaces its cut ({@link #adopt}).
 * </ol>
 *
 * A 429 stays an ordinary retryable error for the retry policy and the cooldowns: learning only
 * slows the pacing. Disabled ({@code worker_settings.learn_limits: false}), it learns nothing and
 * paces at the configured limits. Thread-safe: answers arrive on HTTP threads, the poll loop reads.
 */
public final class LimitLearner implements PaceLimits {
  /** The share of the current rate kept after a 429. */
  public static final double DECREASE = 0.8;

  /**
   * How long the rate takes to climb back from a cut to its ceiling at most, when the answers that
   * drive the recovery do not come.
   */
  public static final Duration IDLE_RECOVERY = Duration.ofMinutes(3);

  /** The part of the recovery spent climbing back to where the rate was cut from. */
  static final double PLATEAU = 0.5;

  private final Clock clock;
  private final boolean enabled;
  private final Map<String, State> states = new ConcurrentHashMap<>();

  /** What a worker learned of one deployment: its rates now, and when the provider taught it. */
  public record Learned(Integer rpm, Integer tpm, Instant at) {}

  /**
   * @param enabled false: learns nothing, {@link #rpm} and {@link #tpm} are the configured ones
   */
  public LimitLearner(Clock clock, boolean enabled) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.enabled = enabled;
  }

  /**
   * Learns from one answer of {@code deployment}.
   *
   * @return true when it cut the deployment's rate: news to publish at once
   */
  public boolean observe(DeploymentConfig deployment, ProviderResponse response) {
    if (!enabled
        || response.status() == null
        || (deployment.rpm() == null && deployment.tpm() == null)) {
      return false;
    }
    long now = clock.millis();
    RateLimitHeaders headers = RateLimitHeaders.of(response, Instant.ofEpochMilli(now));
    State state = state(deployment.deploymentId());
    synchronized (state) {
      state.configure(deployment);
      boolean cut = false;
      if (headers.hasLimit()) {
        cut |= state.requests.announce(headers.requestLimit(), now);
        cut |= state.tokens.announce(headers.tokenLimit(), now);
        state.learnedAtMs = now;
      }
      if (response.status() / 100 == 2) {
        state.requests.admitted(1);
        state.tokens.admitted(response.usage() == null ? 0 : response.usage().totalTokens());
      }
      if (response.status() == 429) {
        long startedMs = now - response.latency().toMillis();
        boolean requestsOut = Integer.valueOf(0).equals(headers.requestsRemaining());
        boolean tokensOut = Integer.valueOf(0).equals(headers.tokensRemaining());
        boolean both = requestsOut == tokensOut;
        boolean cutNow = (both || requestsOut) && state.requests.decrease(startedMs, now);
        cutNow |= (both || tokensOut) && state.tokens.decrease(startedMs, now);
        if (cutNow) {
          state.learnedAtMs = now;
        }
        cut |= cutNow;
      }
      return cut;
    }
  }

  /**
   * Takes up what another worker learned (or this one's echo, which changes nothing): a report
   * learned later than what this worker knows replaces its rates, which then recover from there.
   */
  public void adopt(DeploymentHealth published) {
    if (!enabled || published.learnedAt() == null) {
      return;
    }
    State state = state(published.deploymentId());
    synchronized (state) {
      long at = published.learnedAt().toEpochMilli();
      if (at <= state.learnedAtMs) {
        return;
      }
      state.learnedAtMs = at;
      long base = published.updatedAt().toEpochMilli();
      state.requests.adopt(published.learnedRpm(), base);
      state.tokens.adopt(published.learnedTpm(), base);
    }
  }

  /** What this worker learned of the deployment, or empty when nothing. */
  public Optional<Learned> learned(String deploymentId) {
    State state = states.get(deploymentId);
    if (state == null) {
      return Optional.empty();
    }
    long now = clock.millis();
    synchronized (state) {
      if (state.learnedAtMs == Long.MIN_VALUE) {
        return Optional.empty();
      }
      return Optional.of(
          new Learned(
              state.requests.current(now),
              state.tokens.current(now),
              Instant.ofEpochMilli(state.learnedAtMs)));
    }
  }

  /** {@code health} with what this worker learned of its deployment. */
  public DeploymentHealth stamp(DeploymentHealth health) {
    return learned(health.deploymentId())
        .map(l -> health.withLearned(l.rpm(), l.tpm(), l.at()))
        .orElse(health);
  }

  @Override
  public Integer rpm(DeploymentConfig deployment) {
    State state = enabled ? states.get(deployment.deploymentId()) : null;
    if (state == null) {
      return deployment.rpm();
    }
    synchronized (state) {
      state.configure(deployment);
      return state.requests.current(clock.millis());
    }
  }

  @Override
  public Integer tpm(DeploymentConfig deployment) {
    State state = enabled ? states.get(deployment.deploymentId()) : null;
    if (state == null) {
      return deployment.tpm();
    }
    synchronized (state) {
      state.configure(deployment);
      return state.tokens.current(clock.millis());
    }
  }

  private State state(String deploymentId) {
    return states.computeIfAbsent(deploymentId, id -> new State());
  }

  private static final class State {
    final Rate requests = new Rate();
    final Rate tokens = new Rate();

    /** When the provider last taught something, or {@code Long.MIN_VALUE}. */
    long learnedAtMs = Long.MIN_VALUE;

    void configure(DeploymentConfig deployment) {
      requests.configured = deployment.rpm();
      tokens.configured = deployment.tpm();
    }
  }

  /**
   * One learned rate: requests or tokens per minute. After a cut from {@code w} it recovers along a
   * cubic by the answers the provider admits: back to {@code w} over half a minute of them at that
   * rate (steep at first, flat near {@code w}, where the limit was met), then probing above it,
   * slowly and then faster, up to the ceiling after a whole minute of them; and, should the answers
   * not come (a cooldown, an idle deployment, a share of the calls on other workers), over {@link
   * #IDLE_RECOVERY} at the latest.
   */
  private static final class Rate {
    /** The configured limit, the ceiling; null: nothing to learn. */
    Integer configured;

    /** The limit the provider last announced, or null. */
    Integer announced;

    /** The rate the last cut was made from; NaN when none is recovering. */
    double cutFrom = Double.NaN;

    /** When the rate was cut. */
    long cutAtMs;

    /** Admitted since the cut: answers, or their tokens. */
    long admitted;

    /** When the rate was last lowered: 429s of calls started before then are old news. */
    long lastCutMs = Long.MIN_VALUE;

    /** The lower of the configured and the announced limit; null when unlimited. */
    Integer ceiling() {
      if (configured == null || announced == null) {
        return configured;
      }
      return Math.min(configured, announced);
    }

    /** The rate at {@code now}; null when unlimited. */
    Integer current(long now) {
      Integer ceiling = ceiling();
      if (ceiling == null) {
        return null;
      }
      return (int) Math.max(1, Math.floor(at(now, ceiling)));
    }

    private double at(long now, int ceiling) {
      if (Double.isNaN(cutFrom)) {
        return ceiling;
      }
      double progress =
          Math.max(
              admitted / Math.max(1, cutFrom),
              (double) Math.max(0, now - cutAtMs) / IDLE_RECOVERY.toMillis());
      if (progress >= 1) {
        cutFrom = Double.NaN;
        return ceiling;
      }
      double rate;
      if (progress <= PLATEAU) {
        double left = 1 - progress / PLATEAU;
        rate = cutFrom - (1 - DECREASE) * cutFrom * left * left * left;
      } else {
        double above = (progress - PLATEAU) / (1 - PLATEAU);
        rate = cutFrom + Math.max(0, ceiling - cutFrom) * above * above * above;
      }
      return Math.min(ceiling, rate);
    }

    /** The provider admitted {@code amount} more (an answer, or its tokens): recovery goes on. */
    void admitted(long amount) {
      if (!Double.isNaN(cutFrom)) {
        admitted += amount;
      }
    }

    /** Takes an announced limit; true when that lowered the rate. */
    boolean announce(Integer limit, long now) {
      if (limit == null || configured == null) {
        return false;
      }
      Integer before = current(now);
      announced = limit;
      boolean lowered = current(now) < before;
      if (lowered) {
        lastCutMs = now;
      }
      return lowered;
    }

    /** A 429 of a call started at {@code startedMs}; true when it cut the rate. */
    boolean decrease(long startedMs, long now) {
      if (configured == null || startedMs <= lastCutMs) {
        return false;
      }
      startFrom(current(now), now, 0);
      lastCutMs = now;
      return true;
    }

    /** Takes another worker's rate as if recovered to it from a cut: on its plateau. */
    void adopt(Integer rate, long atMs) {
      if (rate == null) {
        return;
      }
      startFrom(rate, atMs, (long) Math.ceil(PLATEAU * rate));
      lastCutMs = Math.max(lastCutMs, atMs);
    }

    private void startFrom(double rate, long atMs, long admittedSince) {
      cutFrom = Math.max(1, rate);
      cutAtMs = atMs;
      admitted = admittedSince;
    }
  }
}
