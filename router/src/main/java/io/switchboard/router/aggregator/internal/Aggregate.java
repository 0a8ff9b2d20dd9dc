package io.switchboard.router.aggregator.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.switchboard.schemas.MetricsSummary;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.ReplyStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;

/**
 * The state behind one summary, in parts: routing decisions add to {@link Routes}, provider calls
 * to {@link Calls}, {@link Latencies} and {@link Usage}, final replies to {@link Replies}; routing
 * decisions and calls of a known class also to that class's {@link ClassPart}. Immutable; {@link
 * #plus} returns the next state. Stored as JSON in the aggregator's stores, the parts' fields side
 * by side in one object (unwrapped), the classes under {@code classes} (left out while empty, so a
 * state stored before classes reads and writes as it did).
 */
public record Aggregate(
    @JsonUnwrapped Routes routes,
    @JsonUnwrapped Calls calls,
    @JsonUnwrapped Latencies latencies,
    @JsonUnwrapped Usage usage,
    @JsonUnwrapped Replies finalReplies,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, ClassPart> classes) {

  public static final Aggregate EMPTY =
      new Aggregate(Routes.NONE, Calls.NONE, Latencies.NONE, Usage.NONE, Replies.NONE, null);

  public Aggregate {
    classes = classes == null ? Map.of() : classes;
  }

  /** This state with one more contribution. */
  public Aggregate plus(Contribution c) {
    Map<String, ClassPart> byClass = classes;
    if (c.priority() != null && c.kind() != Contribution.Kind.REPLY) {
      TreeMap<String, ClassPart> m = new TreeMap<>(classes);
      m.put(c.priority().wire(), m.getOrDefault(c.priority().wire(), ClassPart.NONE).plus(c));
      byClass = m;
    }
    return switch (c.kind()) {
      case DISPATCH ->
          new Aggregate(routes.plus(c), calls, latencies, usage, finalReplies, byClass);
      case ATTEMPT ->
          new Aggregate(
              routes, calls.plus(c), latencies.plus(c), usage.plus(c), finalReplies, byClass);
      case REPLY -> new Aggregate(routes, calls, latencies, usage, finalReplies.plus(c), byClass);
    };
  }

  /**
   * One request class's first routes and calls, with its waits (first calls only) and latencies.
   */
  public record ClassPart(
      long routed, long attempts, long successes, Latencies waits, Latencies latencies) {
    static final ClassPart NONE = new ClassPart(0, 0, 0, Latencies.NONE, Latencies.NONE);

    public ClassPart {
      waits = waits == null ? Latencies.NONE : waits;
      latencies = latencies == null ? Latencies.NONE : latencies;
    }

    ClassPart plus(Contribution c) {
      if (c.kind() == Contribution.Kind.DISPATCH) {
        return c.hop() > 0
            ? this
            : new ClassPart(routed + 1, attempts, successes, waits, latencies);
      }
      return new ClassPart(
          routed,
          attempts + 1,
          successes + (c.outcome() == Outcome.SUCCESS ? 1 : 0),
          c.waitMs() == null ? waits : waits.plus(c.waitMs()),
          latencies.plus(c.latencyMs()));
    }

    MetricsSummary.ClassSummary toSummary() {
      return new MetricsSummary.ClassSummary(
          routed,
          attempts,
          successes,
          attempts - successes,
          waits.toSummary(),
          latencies.toSummary());
    }
  }

  /**
   * Routing decisions.
   *
   * @param routed first routes
   * @param rerouted fallback routes (hop above 0)
   * @param routedByDeployment first routes per deployment
   * @param expectedMass per deployment, the sum over first routes of its configured share
   */
  public record Routes(
      long routed,
      long rerouted,
      Map<String, Long> routedByDeployment,
      Map<String, Double> expectedMass) {
    static final Routes NONE = new Routes(0, 0, null, null);

    public Routes {
      routedByDeployment = routedByDeployment == null ? Map.of() : routedByDeployment;
      expectedMass = expectedMass == null ? Map.of() : expectedMass;
    }

    Routes plus(Contribution c) {
      if (c.hop() > 0) {
        return new Routes(routed, rerouted + 1, routedByDeployment, expectedMass);
      }
      Map<String, Double> mass = expectedMass;
      if (!c.expected().isEmpty()) {
        TreeMap<String, Double> m = new TreeMap<>(expectedMass);
        c.expected().forEach((d, share) -> m.merge(d, share, Double::sum));
        mass = m;
      }
      return new Routes(
          routed + 1, rerouted, increment(routedByDeployment, c.deploymentId()), mass);
    }

    /** Expected and actual share of first routes per deployment. */
    List<MetricsSummary.Share> shares() {
      TreeSet<String> deployments = new TreeSet<>(expectedMass.keySet());
      deployments.addAll(routedByDeployment.keySet());
      List<MetricsSummary.Share> out = new ArrayList<>();
      for (String d : deployments) {
        long n = routedByDeployment.getOrDefault(d, 0L);
        double expected = routed == 0 ? 0 : clamp(expectedMass.getOrDefault(d, 0.0) / routed);
        double actual = routed == 0 ? 0 : clamp((double) n / routed);
        out.add(new MetricsSummary.Share(d, expected, actual, n));
      }
      return out;
    }
  }

  /**
   * Provider calls by outcome.
   *
   * @param outcomes calls per {@link Outcome} name
   * @param httpStatus calls per status class ({@link #statusClass})
   */
  public record Calls(
      long attempts,
      long successes,
      long errors,
      long retries,
      long fallbacks,
      Map<String, Long> outcomes,
      Map<String, Long> httpStatus) {
    static final Calls NONE = new Calls(0, 0, 0, 0, 0, null, null);

    public Calls {
      outcomes = outcomes == null ? Map.of() : outcomes;
      httpStatus = httpStatus == null ? Map.of() : httpStatus;
    }

    Calls plus(Contribution c) {
      Outcome o = c.outcome();
      return new Calls(
          attempts + 1,
          successes + (o == Outcome.SUCCESS ? 1 : 0),
          errors + (o == Outcome.SUCCESS ? 0 : 1),
          retries + (o == Outcome.RETRY ? 1 : 0),
          fallbacks
              + (o == Outcome.FALLBACK || o == Outcome.CONTEXT_WINDOW || o == Outcome.CONTENT_POLICY
                  ? 1
                  : 0),
          increment(outcomes, o.name()),
          increment(httpStatus, statusClass(c.httpStatus())));
    }
  }

  /**
   * Provider call latencies: a mergeable histogram ({@link LatencyHistograms}) and their sum.
   *
   * @param latencySumMs sum of all latencies, for an exact mean
   */
  public record Latencies(String histogram, long latencySumMs) {
    static final Latencies NONE = new Latencies(null, 0);

    Latencies plus(Contribution c) {
      return plus(c.latencyMs());
    }

    Latencies plus(long ms) {
      Histogram h = LatencyHistograms.decode(histogram);
      LatencyHistograms.record(h, ms);
      return new Latencies(LatencyHistograms.encode(h), latencySumMs + Math.max(0, ms));
    }

    MetricsSummary.Latency toSummary() {
      Histogram h = LatencyHistograms.decode(histogram);
      long count = h.getTotalCount();
      return count == 0
          ? MetricsSummary.Latency.EMPTY
          : new MetricsSummary.Latency(
              count,
              h.getValueAtPercentile(50),
              h.getValueAtPercentile(95),
              h.getValueAtPercentile(99),
              h.getMaxValue(),
              (double) latencySumMs / count,
              histogram);
    }
  }

  /** Tokens and cost of provider calls. */
  public record Usage(long tokensIn, long tokensOut, double costUsd) {
    static final Usage NONE = new Usage(0, 0, 0);

    Usage plus(Contribution c) {
      return new Usage(tokensIn + c.tokensIn(), tokensOut + c.tokensOut(), costUsd + c.costUsd());
    }
  }

  /**
   * Final replies.
   *
   * @param expired replies of status expired
   * @param replyErrors error and expired replies per error code
   */
  public record Replies(long replies, long expired, Map<String, Long> replyErrors) {
    static final Replies NONE = new Replies(0, 0, null);

    public Replies {
      replyErrors = replyErrors == null ? Map.of() : replyErrors;
    }

    Replies plus(Contribution c) {
      Map<String, Long> errorsByCode =
          c.status() != ReplyStatus.OK && c.errorCode() != null
              ? increment(replyErrors, c.errorCode().wire())
              : replyErrors;
      return new Replies(
          replies + 1, expired + (c.status() == ReplyStatus.EXPIRED ? 1 : 0), errorsByCode);
    }
  }

  /** {@code 2xx}, {@code 4xx}, ... or {@code none} when no response arrived. */
  public static String statusClass(Integer status) {
    return status == null || status <= 0 ? "none" : (status / 100) + "xx";
  }

  private static Map<String, Long> increment(Map<String, Long> counts, String key) {
    TreeMap<String, Long> m = new TreeMap<>(counts);
    m.merge(key, 1L, Long::sum);
    return m;
  }

  /** The summary of this state. */
  public MetricsSummary toSummary(
      MetricsSummary.Scope scope,
      String name,
      Instant windowStart,
      Instant windowEnd,
      Instant now) {
    return new MetricsSummary(
        null,
        scope,
        name,
        windowStart,
        windowEnd,
        routes.routed(),
        routes.rerouted(),
        calls.attempts(),
        calls.successes(),
        calls.errors(),
        calls.retries(),
        calls.fallbacks(),
        calls.outcomes(),
        calls.httpStatus(),
        finalReplies.replies(),
        finalReplies.expired(),
        finalReplies.replyErrors(),
        latencies.toSummary(),
        usage.tokensIn(),
        usage.tokensOut(),
        usage.costUsd(),
        scope == MetricsSummary.Scope.MODEL ? routes.shares() : List.of(),
        now,
        classSummaries());
  }

  private Map<String, MetricsSummary.ClassSummary> classSummaries() {
    TreeMap<String, MetricsSummary.ClassSummary> out = new TreeMap<>();
    classes.forEach((priority, part) -> out.put(priority, part.toSummary()));
    return out;
  }

  /** Into 0..1, rounded to nine decimals (the mass is a sum of doubles). */
  private static double clamp(double share) {
    return Math.max(0, Math.min(1, Math.round(share * 1e9) / 1e9));
  }
}
