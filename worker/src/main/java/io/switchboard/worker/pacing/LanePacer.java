package io.switchboard.worker.pacing;

import io.switchboard.schemas.Priority;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.PriorityReserve;
import io.switchboard.schemas.topics.LanePlan;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Paces one lane at its share of the deployment's {@code rpm} and {@code tpm}, over a sliding
 * window of {@value #WINDOW_MS} ms: a minute, and a second more for the way from the HTTP client to
 * the provider, which counts the call when it arrives. A permit counts from its grant until {@value
 * #WINDOW_MS} ms after its call was sent ({@link #sent}: the HTTP client wrote it on a connection),
 * or after the grant when no send is reported. Counting from the grant alone did not hold: a burst
 * of 570 calls on new connections took more than a second to leave the HTTP client on a loaded
 * machine, and the provider saw 601 calls in one minute at a limit of 600. However long a call
 * waits in the client (up to the window itself), it counts a minute from when it left.
 *
 * <p>Guarantee: within any {@value #WINDOW_MS} ms, so within any minute, at most {@link
 * #requestLimit()} permits are granted, and at most that many calls are sent. Tokens are admitted
 * by estimate and corrected by {@link #settle} once the provider reports usage; a request estimated
 * larger than the whole token limit is admitted only when the window holds no tokens, so it is
 * paced but never starved.
 *
 * <p>A deployment with {@code rate_window_seconds} is also paced over that shorter window: at most
 * {@link #shortLimit()} permits within any {@code rate_window_seconds} s plus {@value
 * #SHORT_WINDOW_MARGIN_MS} ms (the same allowance for the way to the provider, smaller because it
 * costs a short window a larger part of its rate).
 *
 * <p>Classes ({@link Priority}) share the minute's request and token limits by {@link
 * PriorityReserve}: a permit for one class is refused while granting it would leave less than the
 * unused reserves of the others. Which class asks first is the caller's order (interactive first);
 * the short window has no reserves.
 *
 * <p>A lane's share is {@link LanePlan#laneShare}: {@code 1/lanes} of the deployment's limits,
 * rounded down but at least 1 (so with {@code rpm} below {@code lanes} the lanes together may
 * exceed {@code rpm}; give such a deployment fewer lanes). The deployment's limits are read on
 * every permit from its {@link PaceLimits}: the configured ones, or lower ones learned from the
 * provider. When they drop below what the window holds, no permit is granted until enough of it
 * expires.
 *
 * <p>While {@link PaceLimits#evenly} says so (a request limit learned below the configured {@code
 * rpm}), requests are also spaced evenly: a permit every {@code WINDOW_MS / limit} ms, two at most
 * back to back (so that a late poll loop does not lose its turn), and the delays it gives are at
 * most a second, as the learned limit moves. The sliding window alone lets a lane spend its whole
 * minute at once whenever requests have queued, and the pattern repeats a minute later; against a
 * provider whose limit is known only roughly (learned from 429s) such a burst is answered 429
 * before the first 429 comes back, while evenly spaced calls meet the limit one at a time. Not
 * thread-safe: the poll loop owns it.
 */
public final class LanePacer {
  /** How long a permit counts: a minute and a second. */
  public static final long WINDOW_MS = 61_000;

  /** What a short rate window counts on top of its seconds, for the way from permit to provider. */
  public static final long SHORT_WINDOW_MARGIN_MS = 200;

  private final Supplier<Limits> limits;
  private final long shortWindowMs;
  private final Clock clock;
  private final PriorityReserve reserve;
  private final long[] requestsByClass = new long[Priority.values().length];
  private final long[] tokensByClass = new long[Priority.values().length];
  private final ArrayDeque<Permit> window = new ArrayDeque<>();
  private final ArrayDeque<Long> shortWindow = new ArrayDeque<>();
  private long tokensInWindow;
  private long lastNow = Long.MIN_VALUE;

  /**
   * When paced evenly, the next request is due at this time (ms, fractional so that the spacing
   * does not drift by rounding); it may be granted up to one spacing earlier.
   */
  private double evenDueMs = Double.NEGATIVE_INFINITY;

  /**
   * A lane's limits at one moment: requests and tokens per window, requests per short window, and
   * whether requests are spaced evenly.
   */
  private record Limits(Integer requests, Integer tokens, Integer shortWindow, boolean evenly) {
    /** The spacing of evenly paced requests in ms; 0 when they are not. */
    double spacingMs() {
      return evenly && requests != null ? (double) WINDOW_MS / requests : 0;
    }
  }

  /** A granted slot in the window; pass it to {@link #settle} with the actual usage. */
  public static final class Permit {
    private static final long UNSENT = Long.MIN_VALUE;
    private final long grantedAtMs;
    private final boolean inWindow;
    private final Priority priority;
    private long tokens;
    private boolean settled;

    /** Left the window (pruned): a late settle no longer changes the window's tokens. */
    private boolean gone;

    /** When its call was sent; written by the HTTP client's thread, read by the poll thread. */
    private volatile long sentAtMs = UNSENT;

    private Permit(long grantedAtMs, long tokens, boolean inWindow, Priority priority) {
      this.grantedAtMs = grantedAtMs;
      this.tokens = tokens;
      this.inWindow = inWindow;
      this.priority = priority;
    }

    public long tokens() {
      return tokens;
    }

    /** When the permit leaves the window: a window after its grant, or after its call was sent. */
    private long expiresAtMs() {
      return Math.max(grantedAtMs, sentAtMs) + WINDOW_MS;
    }
  }

  /**
   * A pacer with per-lane limits.
   *
   * @param requestLimit requests per sliding minute, null for no limit
   * @param tokenLimit tokens per sliding minute, null for no limit
   */
  public LanePacer(Integer requestLimit, Integer tokenLimit, Clock clock) {
    this(requestLimit, tokenLimit, null, 0, clock);
  }

  /**
   * A pacer with per-lane limits and a short rate window.
   *
   * @param shortLimit requests within any {@code shortWindowMs}, null for no short window
   * @param shortWindowMs the short window, margin included; ignored without {@code shortLimit}
   */
  public LanePacer(
      Integer requestLimit,
      Integer tokenLimit,
      Integer shortLimit,
      long shortWindowMs,
      Clock clock) {
    this(requestLimit, tokenLimit, shortLimit, shortWindowMs, PriorityReserve.NONE, clock);
  }

  /**
   * A pacer with per-lane limits, a short rate window and reserves per class.
   *
   * @param reserve what each class has held for it of the minute's limits
   */
  public LanePacer(
      Integer requestLimit,
      Integer tokenLimit,
      Integer shortLimit,
      long shortWindowMs,
      PriorityReserve reserve,
      Clock clock) {
    if (requestLimit != null && requestLimit < 1
        || tokenLimit != null && tokenLimit < 1
        || shortLimit != null && shortLimit < 1) {
      throw new IllegalArgumentException(
          "lane limits must be >= 1 or unset, were rpm "
              + requestLimit
              + ", tpm "
              + tokenLimit
              + ", short window "
              + shortLimit);
    }
    if (shortLimit != null && (shortWindowMs < 1 || shortWindowMs >= WINDOW_MS)) {
      throw new IllegalArgumentException(
          "a short window must be shorter than " + WINDOW_MS + " ms, was " + shortWindowMs);
    }
    Limits fixed = new Limits(requestLimit, tokenLimit, shortLimit, false);
    this.limits = () -> fixed;
    this.shortWindowMs = shortWindowMs;
    this.reserve = Objects.requireNonNull(reserve, "reserve");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  private LanePacer(
      Supplier<Limits> limits, long shortWindowMs, PriorityReserve reserve, Clock clock) {
    this.limits = limits;
    this.shortWindowMs = shortWindowMs;
    this.reserve = Objects.requireNonNull(reserve, "reserve");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The pacer of one lane of {@code deployment}: {@code 1/lanes} of its rpm and tpm, and of its
   * rpm's part of a {@code rate_window_seconds} window when it has one.
   */
  public static LanePacer forLane(DeploymentConfig deployment, Clock clock) {
    return forLane(deployment, PaceLimits.CONFIGURED, PriorityReserve.NONE, clock);
  }

  /**
   * The pacer of one lane of {@code deployment} at its share of the limits {@code paceLimits} gives
   * the deployment at each permit, with {@code reserve} held for each class; its requests evenly
   * spaced while {@code paceLimits} says so.
   */
  public static LanePacer forLane(
      DeploymentConfig deployment, PaceLimits paceLimits, PriorityReserve reserve, Clock clock) {
    Integer seconds = deployment.rateWindowSeconds();
    int lanes = deployment.lanes();
    return new LanePacer(
        () -> {
          Integer rpm = paceLimits.rpm(deployment);
          return new Limits(
              LanePlan.laneShare(rpm, lanes),
              LanePlan.laneShare(paceLimits.tpm(deployment), lanes),
              LanePlan.laneWindowShare(rpm, lanes, seconds),
              paceLimits.evenly(deployment));
        },
        seconds == null ? 0 : seconds * 1000L + SHORT_WINDOW_MARGIN_MS,
        reserve,
        clock);
  }

  /**
   * Grants a permit for one request of {@code estimatedTokens} now, or empty when the lane is at
   * its limit.
   */
  public Optional<Permit> tryAcquire(int estimatedTokens) {
    return tryAcquire(estimatedTokens, Priority.DEFAULT);
  }

  /**
   * Grants a permit for one request of class {@code priority} and {@code estimatedTokens} now, or
   * empty when the lane is at its limit for that class (the others' unused reserves count as used).
   */
  public Optional<Permit> tryAcquire(int estimatedTokens, Priority priority) {
    if (estimatedTokens < 0) {
      throw new IllegalArgumentException("estimated tokens must be >= 0, was " + estimatedTokens);
    }
    long now = now();
    Limits current = limits.get();
    Integer requestLimit = current.requests();
    Integer tokenLimit = current.tokens();
    Integer shortLimit = current.shortWindow();
    if (requestLimit == null && tokenLimit == null) {
      // Nothing to pace: keeping a minute of permits (hundreds of thousands at full speed) would
      // buy nothing.
      return Optional.of(new Permit(now, estimatedTokens, false, priority));
    }
    prune(now);
    if (requestLimit != null && window.size() >= requestLimitFor(priority, requestLimit)) {
      return Optional.empty();
    }
    if (shortLimit != null && shortWindow.size() >= shortLimit) {
      return Optional.empty();
    }
    double spacing = current.spacingMs();
    if (spacing > 0 && now < evenDueMs - spacing) {
      return Optional.empty();
    }
    if (tokenLimit != null
        && tokensInWindow > 0
        && tokensInWindow + estimatedTokens > tokenLimitFor(priority, tokenLimit)) {
      return Optional.empty();
    }
    Permit permit = new Permit(now, estimatedTokens, true, priority);
    evenDueMs = spacing > 0 ? Math.max(evenDueMs, now) + spacing : now;
    window.addLast(permit);
    if (shortLimit != null) {
      shortWindow.addLast(now);
    }
    tokensInWindow += estimatedTokens;
    requestsByClass[priority.ordinal()]++;
    tokensByClass[priority.ordinal()] += estimatedTokens;
    return Optional.of(permit);
  }

  /**
   * How long until {@link #tryAcquire} of {@code estimatedTokens} would succeed if nothing else is
   * acquired meanwhile; zero when it would succeed now.
   */
  public Duration delayUntilAvailable(int estimatedTokens) {
    return delayUntilAvailable(estimatedTokens, Priority.DEFAULT);
  }

  /**
   * How long until {@link #tryAcquire(int, Priority)} would succeed if nothing else is acquired
   * meanwhile; zero when it would succeed now. With reserves it may be shorter than the true wait
   * (permits of a class with a reserve leaving the window hold more for it), never longer: the
   * caller asks again then.
   */
  public Duration delayUntilAvailable(int estimatedTokens, Priority priority) {
    long now = now();
    prune(now);
    Limits current = limits.get();
    Integer requestLimit = current.requests();
    Integer tokenLimit = current.tokens();
    Integer shortLimit = current.shortWindow();
    long wait = 0;
    long requests = requestLimit == null ? 0 : requestLimitFor(priority, requestLimit);
    if (requestLimit != null && window.size() >= requests) {
      // The window drops below the limit once its oldest permits have left, in order.
      int expire = (int) (window.size() - requests);
      Iterator<Permit> it = window.iterator();
      long leavesAt = 0;
      for (int i = 0; i <= expire; i++) {
        leavesAt = Math.max(leavesAt, it.next().expiresAtMs());
      }
      wait = leavesAt - now;
    }
    if (shortLimit != null && shortWindow.size() >= shortLimit) {
      int expire = shortWindow.size() - shortLimit;
      Iterator<Long> it = shortWindow.iterator();
      for (int i = 0; i < expire; i++) {
        it.next();
      }
      wait = Math.max(wait, it.next() + shortWindowMs - now);
    }
    if (current.evenly()) {
      wait =
          Math.min(Math.max(wait, (long) Math.ceil(evenDueMs - current.spacingMs() - now)), 1000);
    }
    long tokens = tokenLimit == null ? 0 : tokenLimitFor(priority, tokenLimit);
    if (tokenLimit != null && tokensInWindow > 0 && tokensInWindow + estimatedTokens > tokens) {
      long remaining = tokensInWindow;
      long leavesAt = 0;
      for (Permit p : window) {
        remaining -= p.tokens;
        leavesAt = Math.max(leavesAt, p.expiresAtMs());
        if (remaining <= 0 || remaining + estimatedTokens <= tokens) {
          wait = Math.max(wait, leavesAt - now);
          break;
        }
      }
    }
    return Duration.ofMillis(Math.max(0, wait));
  }

  /**
   * Records that the permit's call was sent now: it counts for {@value #WINDOW_MS} ms from here (a
   * permit already out of the window stays out). Only the first report counts. Thread-safe: the
   * HTTP client's threads call it.
   */
  public void sent(Permit permit) {
    if (permit.sentAtMs == Permit.UNSENT) {
      permit.sentAtMs = clock.millis();
    }
  }

  /**
   * Corrects a permit's tokens to the provider's reported usage (prompt plus completion), or to the
   * estimate when the usage is unknown. Settling twice is a bug.
   */
  public void settle(Permit permit, int actualTokens) {
    if (permit.settled) {
      throw new IllegalStateException("permit already settled");
    }
    if (actualTokens < 0) {
      throw new IllegalArgumentException("actual tokens must be >= 0, was " + actualTokens);
    }
    permit.settled = true;
    long now = now();
    prune(now);
    if (permit.inWindow && !permit.gone) {
      tokensInWindow += actualTokens - permit.tokens;
      tokensByClass[permit.priority.ordinal()] += actualTokens - permit.tokens;
    }
    permit.tokens = actualTokens;
  }

  /** Requests granted in the current window (none are kept when the lane has neither limit). */
  public int requestsInWindow() {
    prune(now());
    return window.size();
  }

  /** Requests of class {@code priority} granted in the current window. */
  public long requestsInWindow(Priority priority) {
    prune(now());
    return requestsByClass[priority.ordinal()];
  }

  /** Tokens (estimated or settled) of the requests in the current window. */
  public long tokensInWindow() {
    prune(now());
    return tokensInWindow;
  }

  /** Requests per sliding minute for this lane now, or null when unlimited. */
  public Integer requestLimit() {
    return limits.get().requests();
  }

  /**
   * Requests within any short rate window (margin included) for this lane now, or null without one.
   */
  public Integer shortLimit() {
    return limits.get().shortWindow();
  }

  /** The short rate window in ms, margin included; 0 without one. */
  public long shortWindowMs() {
    return shortLimit() == null ? 0 : shortWindowMs;
  }

  /** Tokens per sliding minute for this lane now, or null when unlimited. */
  public Integer tokenLimit() {
    return limits.get().tokens();
  }

  private long now() {
    // A wall clock may step back; pacing must not grant extra slots when it does.
    lastNow = Math.max(lastNow, clock.millis());
    return lastNow;
  }

  /**
   * The requests class {@code priority} may have in the window: the others' unused reserves held.
   */
  private long requestLimitFor(Priority priority, int requestLimit) {
    return requestLimit - reserve.heldFromOthers(priority, requestsByClass, requestLimit);
  }

  /** As {@link #requestLimitFor}, for tokens. */
  private long tokenLimitFor(Priority priority, int tokenLimit) {
    return tokenLimit - reserve.heldFromOthers(priority, tokensByClass, tokenLimit);
  }

  private void prune(long now) {
    // In grant order: a permit that left later than the ones after it holds them (counts them
    // longer, never shorter).
    while (!window.isEmpty() && window.peekFirst().expiresAtMs() <= now) {
      Permit gone = window.pollFirst();
      gone.gone = true;
      tokensInWindow -= gone.tokens;
      requestsByClass[gone.priority.ordinal()]--;
      tokensByClass[gone.priority.ordinal()] -= gone.tokens;
    }
    while (!shortWindow.isEmpty() && shortWindow.peekFirst() <= now - shortWindowMs) {
      shortWindow.pollFirst();
    }
  }
}
