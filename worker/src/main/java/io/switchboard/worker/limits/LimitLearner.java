package io.switchboard.worker.limits;

import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.worker.pacing.LanePacer;
import io.switchboard.worker.pacing.PaceLimits;
import io.switchboard.worker.provider.ProviderResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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
 *       round (a 429 of a call started before the last cut was sent at the old rate and says
 *       nothing new), but never below {@value #KEEP} of what the provider admitted in the last
 *       minute: a 429 of a sliding minute's limit says the minute is full, and what it holds is the
 *       limit. A worker pacing only some of the deployment's lanes counts its admitted calls for
 *       all of them. A 429 whose headers show only requests or only tokens exhausted (remaining 0)
 *       cuts that one; otherwise both.
 *   <li>Recovery: after a cut the rate climbs back by the answers (and tokens) the provider admits,
 *       towards the limit the 429 showed (what the minute admitted, or where the rate was cut
 *       from): back to it within a quarter of a minute of them, then probing above, up to the
 *       ceiling after half a minute of them (a cubic, as TCP CUBIC: long near the rate that met the
 *       limit, fast far from it), so a limit the provider raised is found within a minute even
 *       without headers. A 429 while probing (or after) cuts from the limit the last one showed,
 *       not from the probe. Without admitted answers it recovers over {@link #IDLE_RECOVERY}.
 *   <li>Sharing: a report on the health topic carries the rate and when it was learned; one learned
 *       later than what this worker knows replaces its cut ({@link #adopt}).
 * </ol>
 *
 * While a request rate is learned below the configured one (and a minute after it recovered from a
 * 429), the lanes space the deployment's calls evenly ({@link #evenly}). A 429 stays an ordinary
 * retryable error for the retry policy; one the pacing takes up ({@link Lesson#paced}) counts in
 * the error rate but not towards a cooldown, which would stop the deployment where the pacing slows
 * it; an exhausted quota ({@code insufficient_quota}) teaches nothing. Disabled ({@code
 * worker_settings.learn_limits: false}), it learns nothing and paces at the configured limits.
 * Thread-safe: answers arrive on HTTP threads, the poll loop reads.
 */
public final class LimitLearner implements PaceLimits {
  /** The share of the current rate kept after a 429. */
  public static final double DECREASE = 0.8;

  /**
   * How long the rate takes to climb back from a cut to its ceiling at most, when the answers that
   * drive the recovery do not come.
   */
  public static final Duration IDLE_RECOVERY = Duration.ofMinutes(3);

  /**
   * The share of what the provider admitted in the last minute that a 429 never cuts below: a
   * little under the limit the full minute shows.
   */
  public static final double KEEP = 0.9;

  /** The part of the recovery spent climbing back to the limit the last 429 showed. */
  static final double PLATEAU = 0.5;

  /**
   * The answers a recovery takes, as a share of the limit the 429 showed: forty seconds' worth.
   * Short enough that a limit the provider raised is found within a minute whenever it is raised.
   */
  static final double RECOVERY = 0.5;

  /** A 429 whose code says the account is out of credit: not a rate to learn. */
  private static final String QUOTA_EXHAUSTED = "insufficient_quota";

  /** The provider's window: a minute. */
  private static final long WINDOW_MS = 60_000;

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
   * What one answer taught.
   *
   * @param cut the deployment's rate was lowered: news to publish at once
   * @param paced the answer is a 429 the pacing takes up: the provider admitted calls of the
   *     deployment within the last minute, so its window is full rather than the deployment
   *     failing, and the 429 does not count towards a cooldown
   */
  public record Lesson(boolean cut, boolean paced) {
    /** Nothing learned. */
    public static final Lesson NONE = new Lesson(false, false);
  }

  /**
   * Learns from one answer of {@code deployment} to a call made on its dispatch partition {@code
   * lane}.
   */
  public Lesson observe(DeploymentConfig deployment, int lane, ProviderResponse response) {
    if (!enabled
        || response.status() == null
        || (deployment.rpm() == null && deployment.tpm() == null)
        || QUOTA_EXHAUSTED.equals(response.errorCode())) {
      return Lesson.NONE;
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
        state.lanes.put(lane, now);
        state.requests.admitted(1, now);
        state.tokens.admitted(response.usage() == null ? 0 : response.usage().totalTokens(), now);
      }
      if (response.status() != 429) {
        return new Lesson(cut, false);
      }
      long startedMs = now - response.latency().toMillis();
      double scale = state.scale(deployment.lanes(), now);
      boolean requestsOut = Integer.valueOf(0).equals(headers.requestsRemaining());
      boolean tokensOut = Integer.valueOf(0).equals(headers.tokensRemaining());
      boolean both = requestsOut == tokensOut;
      boolean paced = false;
      boolean cutNow = false;
      if (both || requestsOut) {
        cutNow = state.requests.decrease(startedMs, now, scale);
        paced = state.requests.takesUp(now);
      }
      if (both || tokensOut) {
        cutNow |= state.tokens.decrease(startedMs, now, scale);
        paced |= state.tokens.takesUp(now);
      }
      if (cutNow) {
        state.learnedAtMs = now;
      }
      return new Lesson(cut || cutNow, paced);
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

  /**
   * True while the deployment's request rate is learned below its configured {@code rpm}, and for a
   * window ({@link LanePacer#WINDOW_MS}) after it recovered from a 429 to it: the lanes' windows
   * hold evenly spaced calls by then, and do not let a queue out at once.
   */
  @Override
  public boolean evenly(DeploymentConfig deployment) {
    State state = enabled ? states.get(deployment.deploymentId()) : null;
    if (state == null || deployment.rpm() == null) {
      return false;
    }
    synchronized (state) {
      state.configure(deployment);
      long now = clock.millis();
      return state.requests.current(now) < deployment.rpm()
          || now - state.requests.recoveredAtMs < LanePacer.WINDOW_MS;
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

    /** When each dispatch partition last had a call admitted. */
    final Map<Integer, Long> lanes = new HashMap<>();

    /** When the provider last taught something, or {@code Long.MIN_VALUE}. */
    long learnedAtMs = Long.MIN_VALUE;

    void configure(DeploymentConfig deployment) {
      requests.configured = deployment.rpm();
      tokens.configured = deployment.tpm();
    }

    /**
     * What this worker's admitted calls are of the deployment's: its lanes over those of them that
     * had calls admitted within the last minute here (the others are paced by other workers).
     */
    double scale(int deploymentLanes, long now) {
      lanes.values().removeIf(at -> at <= now - WINDOW_MS);
      return lanes.isEmpty() ? 1 : Math.max(1, (double) deploymentLanes / lanes.size());
    }
  }

  /**
   * One learned rate: requests or tokens per minute. A 429 cuts it to {@value #DECREASE} of what it
   * is, but not below {@value #KEEP} of what the provider admitted in the last minute (a 429 of a
   * sliding minute's limit says that the minute is full, and what it holds is the limit; cutting
   * below it would only lose throughput, however many 429s the full minute answers). It then
   * recovers along a cubic by the answers the provider admits, towards the limit the 429 showed
   * (what was admitted, or where the rate was cut from if that is less, or if fewer calls were
   * admitted than the rate was cut to): back to it over half a minute of answers at that rate
   * (steep at first, flat near it), then probing above it, slowly and then faster, up to the
   * ceiling after a whole minute of them; and, should the answers not come (a cooldown, an idle
   * deployment, a share of the calls on other workers), over {@link #IDLE_RECOVERY} at the latest.
   */
  private static final class Rate {
    /** The configured limit, the ceiling; null: nothing to learn. */
    Integer configured;

    /** The limit the provider last announced, or null. */
    Integer announced;

    /** What the recovery climbs back to before probing above; NaN when none is recovering. */
    double target = Double.NaN;

    /** The limit the last cut showed, kept after the recovery; NaN before any cut. */
    double lastLimit = Double.NaN;

    /** The rate right after the cut. */
    double floor;

    /** When the rate was cut. */
    long cutAtMs;

    /** Admitted since the cut: answers, or their tokens. */
    long admitted;

    /** When the rate was last lowered: 429s of calls started before then are old news. */
    long lastCutMs = Long.MIN_VALUE;

    /** When it last recovered from a cut to the ceiling. */
    long recoveredAtMs = Long.MIN_VALUE / 2;

    /** Admitted within the last minute: answers, or their tokens, by when they were answered. */
    final MinuteTally lastMinute = new MinuteTally();

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
      if (Double.isNaN(target)) {
        return ceiling;
      }
      double progress =
          Math.max(
              admitted / Math.max(1, RECOVERY * target),
              (double) Math.max(0, now - cutAtMs) / IDLE_RECOVERY.toMillis());
      if (progress >= 1) {
        target = Double.NaN;
        recoveredAtMs = now;
        return ceiling;
      }
      double rate;
      if (progress <= PLATEAU) {
        double left = 1 - progress / PLATEAU;
        rate = target - (target - floor) * left * left * left;
      } else {
        double above = (progress - PLATEAU) / (1 - PLATEAU);
        rate = target + Math.max(0, ceiling - target) * above * above * above;
      }
      return Math.min(ceiling, rate);
    }

    /** The provider admitted {@code amount} more (an answer, or its tokens) at {@code now}. */
    void admitted(long amount, long now) {
      if (!Double.isNaN(target)) {
        admitted += amount;
      }
      lastMinute.add(amount, now);
    }

    /**
     * What the provider admitted (answers, or their tokens) within the minute before {@code now}.
     */
    long admittedWithin(long now) {
      return lastMinute.within(now);
    }

    /** Whether a 429 for this rate is the pacing's: learned, and calls were admitted lately. */
    boolean takesUp(long now) {
      return configured != null && admittedWithin(now) > 0;
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

    /**
     * A 429 of a call started at {@code startedMs}, this worker's admitted calls being {@code
     * scale} times fewer than the deployment's; true when it cut the rate.
     */
    boolean decrease(long startedMs, long now, double scale) {
      if (configured == null || startedMs <= lastCutMs) {
        return false;
      }
      double rate = current(now);
      // Probing above the limit the last 429 showed, the rate met it there, not where it is now
      // (and if the limit rose meanwhile, what the minute admitted shows it).
      double met = Double.isNaN(lastLimit) ? rate : Math.min(rate, lastLimit);
      double limit = admittedWithin(now) * scale;
      double to = Math.max(DECREASE * met, KEEP * limit);
      if (to >= rate) {
        return false;
      }
      // What was admitted shows the limit unless it is less than the cut (few calls were made).
      startFrom(to, limit >= to ? Math.min(rate, limit) : met, now, 0);
      lastCutMs = now;
      return true;
    }

    /** Takes another worker's rate as if recovered to it from a cut: on its plateau. */
    void adopt(Integer rate, long atMs) {
      if (rate == null) {
        return;
      }
      startFrom(rate, rate, atMs, (long) Math.ceil(PLATEAU * RECOVERY * rate));
      lastCutMs = Math.max(lastCutMs, atMs);
    }

    private void startFrom(double from, double towards, long atMs, long admittedSince) {
      floor = Math.max(1, from);
      target = Math.max(floor, towards);
      lastLimit = target;
      cutAtMs = atMs;
      admitted = admittedSince;
    }
  }
}
