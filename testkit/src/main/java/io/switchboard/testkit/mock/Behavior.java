package io.switchboard.testkit.mock;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How the mock provider answers the calls of one deployment (or of every deployment without its own
 * behaviour). Immutable; change it with the {@code with...} methods and install it with {@link
 * MockProvider#behave(String, Behavior)} or {@link MockProvider#behaveAll(Behavior)}.
 *
 * <p>A call is checked in this order; the first rule that applies answers it:
 *
 * <ol>
 *   <li>{@link Fault#RESET} / {@link Fault#HANG};
 *   <li>the API's required headers ({@code anthropic-version}, Azure's {@code api-version});
 *   <li>{@link #requiredKey()}: 401 without the matching credential;
 *   <li>{@link Fault#STATUS}: always {@link #faultStatus()};
 *   <li>a body that is not JSON, or lacks {@code messages} (Anthropic: or {@code max_tokens}): 400;
 *   <li>{@link #rpm()}: 429 when the deployment's sliding 60 s window is full;
 *   <li>{@link #rateLimitEvery()} / {@link #rateLimitProbability()}: 429;
 *   <li>{@link #contextWindow()}: 400 with the provider's context-length error;
 *   <li>then, after {@link #latency()}: {@link #errorRate()} answers {@link #errorStatus()}, {@link
 *       Fault#GARBAGE} answers 200 with a body that is not JSON, and otherwise the completion.
 * </ol>
 *
 * Only the last step waits for the latency: providers reject bad, unauthorised and rate-limited
 * calls at once.
 *
 * @param latency the wait before answering a call that reaches the model
 * @param errorRate the probability (0..1) that such a call fails with {@code errorStatus}
 * @param errorStatus the status of those failures (4xx or 5xx, e.g. 500, 503, 529)
 * @param rateLimitProbability the probability (0..1) that a call gets a 429
 * @param rateLimitEvery when > 0, every n-th call of the deployment gets a 429
 * @param retryAfter the wait those 429s announce ({@code Retry-After}, {@code retry-after-ms},
 *     {@code x-ratelimit-reset-requests})
 * @param rpm when > 0, at most this many calls are admitted in any sliding 60 s window; the rest
 *     get a 429 announcing the wait until the window frees a slot
 * @param contextWindow when > 0, a prompt whose token estimate exceeds it gets a 400
 * @param fault a fault applied to every call
 * @param faultStatus the status answered under {@link Fault#STATUS}
 * @param requiredKey when non-null, the credential a call must carry ({@code Authorization:
 *     Bearer}, {@code api-key} or {@code x-api-key} per API); never printed by {@link #toString()}
 * @param rateLimitHeaders with an {@link #rpm()}: whether answers announce the window as providers
 *     do ({@link LimitHeaders} on every success, the limit on its 429s); false: a 429 carries only
 *     the wait, and nothing tells the limit
 */
public record Behavior(
    Latency latency,
    double errorRate,
    int errorStatus,
    double rateLimitProbability,
    int rateLimitEvery,
    Duration retryAfter,
    int rpm,
    int contextWindow,
    Fault fault,
    int faultStatus,
    String requiredKey,
    boolean rateLimitHeaders) {

  private static final Behavior OK =
      new Behavior(Latency.NONE, 0, 500, 0, 0, Duration.ofSeconds(1), 0, 0, Fault.NONE, 500, null);

  public Behavior {
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(retryAfter, "retryAfter");
    Objects.requireNonNull(fault, "fault");
    probability("errorRate", errorRate);
    probability("rateLimitProbability", rateLimitProbability);
    errorStatus("errorStatus", errorStatus);
    errorStatus("faultStatus", faultStatus);
    nonNegative("rateLimitEvery", rateLimitEvery);
    nonNegative("rpm", rpm);
    nonNegative("contextWindow", contextWindow);
    if (retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must not be negative, was " + retryAfter);
    }
    if (requiredKey != null && requiredKey.isBlank()) {
      throw new IllegalArgumentException("requiredKey must be null (no key required) or non-blank");
    }
  }

  /** A behaviour whose rpm window, if any, is announced in headers. */
  public Behavior(
      Latency latency,
      double errorRate,
      int errorStatus,
      double rateLimitProbability,
      int rateLimitEvery,
      Duration retryAfter,
      int rpm,
      int contextWindow,
      Fault fault,
      int faultStatus,
      String requiredKey) {
    this(
        latency,
        errorRate,
        errorStatus,
        rateLimitProbability,
        rateLimitEvery,
        retryAfter,
        rpm,
        contextWindow,
        fault,
        faultStatus,
        requiredKey,
        true);
  }

  /** Every call succeeds at once. */
  public static Behavior ok() {
    return OK;
  }

  public Behavior withLatency(Latency latency) {
    return edit(d -> d.latency = latency);
  }

  /** A fixed latency. */
  public Behavior withLatencyMs(long millis) {
    return withLatency(Latency.fixed(millis));
  }

  /** Fails the given share of the calls that reach the model with {@code status}. */
  public Behavior withErrors(double rate, int status) {
    return edit(
        d -> {
          d.errorRate = rate;
          d.errorStatus = status;
        });
  }

  /** Answers 429 to the given share of calls. */
  public Behavior withRateLimitProbability(double probability) {
    return edit(d -> d.rateLimitProbability = probability);
  }

  /** Answers 429 to every n-th call (0: never). */
  public Behavior withRateLimitEvery(int every) {
    return edit(d -> d.rateLimitEvery = every);
  }

  /**
   * The wait announced by 429s from {@link #rateLimitEvery()} and {@link #rateLimitProbability()}.
   */
  public Behavior withRetryAfter(Duration wait) {
    return edit(d -> d.retryAfter = wait);
  }

  /**
   * Admits at most {@code rpm} calls in any sliding 60 s window (0: unlimited): the provider's real
   * limit, whatever the client's config says. Installed on a running mock, the window so far
   * counts.
   */
  public Behavior withRpm(int rpm) {
    return edit(d -> d.rpm = rpm);
  }

  /** Whether answers announce the rpm window in rate-limit headers (default yes). */
  public Behavior withRateLimitHeaders(boolean announce) {
    return edit(d -> d.rateLimitHeaders = announce);
  }

  /** Rejects prompts estimated above {@code tokens} (0: no limit). */
  public Behavior withContextWindow(int tokens) {
    return edit(d -> d.contextWindow = tokens);
  }

  /** Applies {@code fault} to every call; use {@link #withStatus(int)} for {@link Fault#STATUS}. */
  public Behavior withFault(Fault fault) {
    return edit(d -> d.fault = fault);
  }

  /** Always answers {@code status} with the provider's error body for it. */
  public Behavior withStatus(int status) {
    return edit(
        d -> {
          d.fault = Fault.STATUS;
          d.faultStatus = status;
        });
  }

  /** Requires this credential on every call (null: none required). */
  public Behavior withRequiredKey(String key) {
    return edit(d -> d.requiredKey = key);
  }

  @Override
  public String toString() {
    return "Behavior[latency="
        + latency
        + ", errorRate="
        + errorRate
        + ", errorStatus="
        + errorStatus
        + ", rateLimitProbability="
        + rateLimitProbability
        + ", rateLimitEvery="
        + rateLimitEvery
        + ", retryAfter="
        + retryAfter
        + ", rpm="
        + rpm
        + ", contextWindow="
        + contextWindow
        + ", fault="
        + fault
        + ", faultStatus="
        + faultStatus
        + ", requiredKey="
        + (requiredKey == null ? "none" : "<set>")
        + ", rateLimitHeaders="
        + rateLimitHeaders
        + "]";
  }

  private static void probability(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be between 0 and 1, was " + value);
    }
  }

  private static void nonNegative(String name, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, was " + value);
    }
  }

  private static void errorStatus(String name, int status) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException(name + " must be a 4xx or 5xx status, was " + status);
    }
  }

  /**
   * This behaviour with {@code change} applied: the one place a {@code with...} method builds a new
   * one.
   */
  private Behavior edit(Consumer<Draft> change) {
    Draft draft = new Draft(this);
    change.accept(draft);
    return draft.toBehavior();
  }

  /** The components of a behaviour while a {@code with...} method changes some of them. */
  private static final class Draft {
    Latency latency;
    double errorRate;
    int errorStatus;
    double rateLimitProbability;
    int rateLimitEvery;
    Duration retryAfter;
    int rpm;
    int contextWindow;
    Fault fault;
    int faultStatus;
    String requiredKey;
    boolean rateLimitHeaders;

    Draft(Behavior from) {
      latency = from.latency;
      errorRate = from.errorRate;
      errorStatus = from.errorStatus;
      rateLimitProbability = from.rateLimitProbability;
      rateLimitEvery = from.rateLimitEvery;
      retryAfter = from.retryAfter;
      rpm = from.rpm;
      contextWindow = from.contextWindow;
      fault = from.fault;
      faultStatus = from.faultStatus;
      requiredKey = from.requiredKey;
      rateLimitHeaders = from.rateLimitHeaders;
    }

    Behavior toBehavior() {
      return new Behavior(
          latency,
          errorRate,
          errorStatus,
          rateLimitProbability,
          rateLimitEvery,
          retryAfter,
          rpm,
          contextWindow,
          fault,
          faultStatus,
          requiredKey,
          rateLimitHeaders);
    }
  }
}
