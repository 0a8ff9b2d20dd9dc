package io.switchboard.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Aggregated traffic of one model, one deployment or the whole system, over a one-minute tumbling
 * window or since the aggregator started (running totals). Published by the metrics aggregator on
 * the summaries topic, keyed by {@link #key()}; read by {@code switchboard stats}. Shape: {@code
 * schemas/metrics-summary.schema.json}.
 *
 * <p>A request counts once in {@code routed} (its first route) and once more in {@code rerouted}
 * for every fallback; every provider call counts once in {@code attempts} and once in {@code
 * outcomes}.
 *
 * @param type always {@code "summary"}
 * @param scope what {@code name} names
 * @param name the model name (alias, group or inline set), the deployment id, or {@code *} for
 *     scope all
 * @param windowStart start of the one-minute window (inclusive); null for running totals
 * @param windowEnd end of the window (exclusive); null for running totals
 * @param routed requests routed here on their first route (dispatches with hop 0)
 * @param rerouted fallback routes here (dispatches with hop above 0)
 * @param attempts provider calls
 * @param successes calls with outcome SUCCESS
 * @param errors calls with any other outcome
 * @param retries calls with outcome RETRY
 * @param fallbacks calls with outcome FALLBACK, CONTEXT_WINDOW or CONTENT_POLICY (the request left
 *     the deployment)
 * @param outcomes calls by outcome name ({@code SUCCESS}, {@code RETRY}, ...)
 * @param httpStatus calls by HTTP status class ({@code 2xx}, {@code 4xx}, {@code 5xx}, ... or
 *     {@code none})
 * @param replies final replies
 * @param expired final replies with status expired
 * @param replyErrors final error or expired replies by error code
 * @param latency provider call latency
 * @param tokensIn prompt tokens reported by providers
 * @param tokensOut completion tokens reported by providers
 * @param costUsd cost from the configured prices
 * @param shares for scope model: each candidate deployment's expected and actual share of first
 *     routes
 * @param updatedAt when this summary was computed
 * @param classes the same traffic by request class ({@link Priority#wire()} names), for the classes
 *     seen; left off the wire when empty (summaries written before classes existed)
 */
public record MetricsSummary(
    String type,
    Scope scope,
    String name,
    Instant windowStart,
    Instant windowEnd,
    long routed,
    long rerouted,
    long attempts,
    long successes,
    long errors,
    long retries,
    long fallbacks,
    Map<String, Long> outcomes,
    Map<String, Long> httpStatus,
    long replies,
    long expired,
    Map<String, Long> replyErrors,
    Latency latency,
    long tokensIn,
    long tokensOut,
    double costUsd,
    List<Share> shares,
    Instant updatedAt,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, ClassSummary> classes) {

  public static final String TYPE = "summary";

  /** The name of the scope {@link Scope#ALL}. */
  public static final String ALL = "*";

  public MetricsSummary {
    type = type == null ? TYPE : type;
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(name, "name");
    if ((windowStart == null) != (windowEnd == null)) {
      throw new IllegalArgumentException(
          "window_start and window_end are set together or not at all");
    }
    outcomes = outcomes == null ? Map.of() : new TreeMap<>(outcomes);
    httpStatus = httpStatus == null ? Map.of() : new TreeMap<>(httpStatus);
    replyErrors = replyErrors == null ? Map.of() : new TreeMap<>(replyErrors);
    latency = latency == null ? Latency.EMPTY : latency;
    shares = shares == null ? List.of() : List.copyOf(shares);
    Objects.requireNonNull(updatedAt, "updated_at");
    classes = classes == null ? Map.of() : new TreeMap<>(classes);
  }

  /** The figures of one class, or empty ones when none of its traffic was seen. */
  public ClassSummary of(Priority priority) {
    return classes.getOrDefault(priority.wire(), ClassSummary.EMPTY);
  }

  /** Whether this summary is a running total rather than a window. */
  public boolean total() {
    return windowStart == null;
  }

  /**
   * The record key on the summaries topic: {@code <scope>/<name>} for totals, {@code
   * <scope>/<name>@<window start>} for windows. The latest record of a key is its current value.
   */
  public String key() {
    return key(scope, name, windowStart);
  }

  /**
   * The key of the summary of {@code scope}/{@code name} over the window starting at {@code
   * windowStart} (null: totals).
   */
  public static String key(Scope scope, String name, Instant windowStart) {
    return scope.wire() + "/" + name + (windowStart == null ? "" : "@" + windowStart);
  }

  /** What a summary aggregates. */
  public enum Scope {
    /** Every request, including those rejected before routing. */
    ALL,
    /** The requests routed through one model name (alias, group or inline set). */
    MODEL,
    /** The requests routed to one deployment. */
    DEPLOYMENT;

    @JsonValue
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Provider call latency in milliseconds, from an HdrHistogram with two significant digits.
   *
   * @param count calls measured
   * @param p50Ms median
   * @param p95Ms 95th percentile
   * @param p99Ms 99th percentile
   * @param maxMs largest
   * @param meanMs mean
   * @param histogram the histogram itself, compressed and base64-encoded, so summaries can be
   *     merged
   */
  public record Latency(
      long count, long p50Ms, long p95Ms, long p99Ms, long maxMs, double meanMs, String histogram) {
    public static final Latency EMPTY = new Latency(0, 0, 0, 0, 0, 0, null);
  }

  /**
   * One candidate deployment of a model: the share of first routes the config asks for and the
   * share it got.
   *
   * @param deploymentId the deployment
   * @param expected its weight over the weights of the candidate set, 0..1
   * @param actual its first routes over the model's first routes, 0..1 (0 before any route)
   * @param routed its first routes
   */
  public record Share(String deploymentId, double expected, double actual, long routed) {
    public Share {
      Objects.requireNonNull(deploymentId, "deployment_id");
    }
  }

  /**
   * One request class's share of a summary.
   *
   * @param routed its requests routed here on their first route
   * @param attempts its provider calls
   * @param successes its calls with outcome SUCCESS
   * @param errors its calls with any other outcome
   * @param waits how long its requests waited from their routing to their first call to a
   *     deployment (first calls only: a retry's wait holds its backoff)
   * @param latency its provider call latency
   */
  public record ClassSummary(
      long routed, long attempts, long successes, long errors, Latency waits, Latency latency) {
    public static final ClassSummary EMPTY =
        new ClassSummary(0, 0, 0, 0, Latency.EMPTY, Latency.EMPTY);

    public ClassSummary {
      waits = waits == null ? Latency.EMPTY : waits;
      latency = latency == null ? Latency.EMPTY : latency;
    }
  }
}
