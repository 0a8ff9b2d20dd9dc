package io.switchboard.testkit.mock;

import java.time.Duration;
import java.util.Objects;

/**
 * How the mock provider answers the calls of one deployment (or of every deployment without
 * its own behaviour). Immutable; change it with the {@code with...} methods and install it with
 * {@link MockProvider#behave(String, Behavior)} or {@link MockProvider#behaveAll(Behavior)}.
 *
 * <p>A call is checked in this order; the first rule that applies answers it:
 * <ol>
 *   <li>{@link Fault#RESET} / {@link Fault#HANG};
 *   <li>the API's required headers ({@code anthropic-version}, Azure's {@code api-version});
 *   <li>{@link #requiredKey()}: 401 without the matching credential;
 *   <li>{@link Fault#STATUS}: always {@link #faultStatus()};
 *   <li>a body that is not JSON, or lacks {@code messages} (Anthropic: or {@code max_tokens}): 400;
 *   <li>{@link #rpm()}: 429 when the deployment's sliding 60 s window is full;
 *   <li>{@link #rateLimitEvery()} / {@link #rateLimitProbability()}: 429;
 *   <li>{@link #contextWindow()}: 400 with the provider's context-length error;
 *   <li>then, after {@link #latency()}: {@link #errorRate()} answers {@link #errorStatus()},
 *       {@link Fault#GARBAGE} answers 200 with a body that is not JSON, and otherwise the
 *       completion.
 * </ol>
 * Only the last step waits for the latency: providers reject bad, unauthorised and
 * rate-limited calls at once.
 *
 * @param latency the wait before answering a call that reaches the model
 * @param errorRate the probability (0..1) that such a call fails with {@code errorStatus}
 * @param errorStatus the status of those failures (4xx or 5xx, e.g. 500, 503, 529)
 * @param rateLimitProbability the probability (0..1) that a call gets a 429
 * @param rateLimitEvery when > 0, every n-th call of the deployment gets a 429
 * @param retryAfter the wait those 429s announce ({@code Retry-After}, {@code retry-after-ms},
 *     {@code x-ratelimit-reset-requests})
 * @param rpm when > 0, at most this many calls are admitted in any sliding 60 s window; the
 *     rest get a 429 announcing the wait until the window frees a slot
 * @param contextWindow when > 0, a prompt whose token estimate exceeds it gets a 400
 * @param fault a fault applied to every call
 * @param faultStatus the status answered under {@link Fault#STATUS}
 * @param requiredKey when non-null, the credential a call must carry ({@code Authorization:
 *     Bearer}, {@code api-key} or {@code x-api-key} per API); never printed by {@link #toString()}
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
    String requiredKey) {

  private static final Behavior OK =
      new Behavior(Latency.NONE, 0, 500, 0, 0, Duration.ofSeconds(1), 0, 0, Fault.NONE, 500, null);

  public Behavior {
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(retryAfter, "retryAfter");
    Objects.requireNonNull(fault, "fault");
    probability("errorRate", errorRate);
    probability("rateLimitProbability", rateLimitProbability);
    if (errorStatus < 400 || errorStatus > 599) {
      throw new IllegalArgumentException("errorStatus must be a 4xx or 5xx status, was " + errorStatus);
    }
    if (faultStatus < 400 || faultStatus > 599) {
      throw new IllegalArgumentException("faultStatus must be a 4xx or 5xx status, was " + faultStatus);
    }
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

  /** Every call succeeds at once. */
  public static Behavior ok() {
    return OK;
  }

  public Behavior withLatency(Latency latency) {
    return new Behavior(latency, errorRate, errorStatus, rateLimitProbability, rateLimitEvery, retryAfter, rpm,
        contextWindow, fault, faultStatus, requiredKey);
  }

  /** A fixed latency. */
  public Behavior withLatencyMs(long millis) {
    return withLatency(Latency.fixed(millis));
  }

  /** Fails the given share of the calls that reach the model with {@code status}. */
  public Behavior withErrors(double rate, int status) {
    return new Behavior(latency, rate, status, rateLimitProbability, rateLimitEvery, retryAfter, rpm,
        contextWindow, fault, faultStatus, requiredKey);
  }

  /** Answers 429 to the given share of calls. */
  public Behavior withRateLimitProbability(double probability) {
    return new Behavior(latency, errorRate, errorStatus, probability, rateLimitEvery, retryAfter, rpm,
        contextWindow, fault, faultStatus, requiredKey);
  }

  /** Answers 429 to every n-th call (0: never). */
  public Behavior withRateLimitEvery(int every) {
    return new Behavior(latency, errorRate, errorStatus, rateLimitProbability, every, retryAfter, rpm,
        contextWindow, fault, faultStatus, requiredKey);
  }

  /** The wait announced by 429s from {@link #rateLimitEvery()} and {@link #rateLimitProbability()}. */
  public Behavior withRetryAfter(Duration wait) {
    return new Behavior(latency, errorRate, errorStatus, rateLimitProbability, rateLimitEvery, wait, rpm,
        contextWindow, fault, faultStatus, requiredKey);
  }

  /** Admits at most {@code rpm} calls in any sliding 60 s window (0: unlimited). */
  public Behavior withRpm(int rpm) {
    return new Behavior(latency, errorRate, errorStatus, rateLimitProbability, rateLimitEvery, retryAfter, rpm,
        contextWindow, fault, faultStatus, requiredKey);
  }

  /** Rejects prompts estimated above {@code tokens} (0: no limit). */
  public Behavior withContextWindow(int tokens) {
    return new Behavior(latency, errorRate, errorStatus, rateLimitProbability, rateLimitEvery, retryAfter, rpm,
        tokens, fault, faultStatus, requiredKey);
  }

  /** Applies {@code fault} to every call; use {@link #withStatus(int)} for {@link Fault#STATUS}. */
  public Behavior withFault(Fault fault) {
    return new Behavior(latency, errorRate, errorStatus, rateLimitProbability, rateLimitEvery, retryAfter, rpm,
        contextWindow, fault, faultStatus, requiredKey);
  }

  /** Always answers {@code status} with the provider's error body for it. */
  public Behavior withStatus(int status) {
    return new Behavior(latency, errorRate, errorStatus, rateLimitProbability, rateLimitEvery, retryAfter, rpm,
        contextWindow, Fault.STATUS, status, requiredKey);
  }

  /** Requires this credential on every call (null: none required). */
  public Behavior withRequiredKey(String key) {
    return new Behavior(latency, errorRate, errorStatus, rateLimitProbability, rateLimitEvery, retryAfter, rpm,
        contextWindow, fault, faultStatus, key);
  }

  @Override
  public String toString() {
    return "Behavior[latency=" + latency + ", errorRate=" + errorRate + ", errorStatus=" + errorStatus
        + ", rateLimitProbability=" + rateLimitProbability + ", rateLimitEvery=" + rateLimitEvery
        + ", retryAfter=" + retryAfter + ", rpm=" + rpm + ", contextWindow=" + contextWindow + ", fault=" + fault
        + ", faultStatus=" + faultStatus + ", requiredKey=" + (requiredKey == null ? "none" : "<set>") + "]";
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
}
