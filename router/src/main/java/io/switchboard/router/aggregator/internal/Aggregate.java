package io.switchboard.router.aggregator.internal;

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
 * The state behind one summary: counters, a mergeable latency histogram ({@link
 * LatencyHistograms}) and, for scope model, first routes and expected share mass per deployment.
 * Immutable; {@link #plus} returns the next state. Stored as JSON in the aggregator's stores.
 *
 * @param latencySumMs sum of all latencies, for an exact mean
 * @param routedByDeployment first routes per deployment
 * @param expectedMass per deployment, the sum over first routes of its configured share
 */
public record Aggregate(
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
    String histogram,
    long latencySumMs,
    long tokensIn,
    long tokensOut,
    double costUsd,
    Map<String, Long> routedByDeployment,
    Map<String, Double> expectedMass) {

  public static final Aggregate EMPTY = new Aggregate(0, 0, 0, 0, 0, 0, 0, null, null, 0, 0, null, null, 0, 0, 0, 0,
      null, null);

  public Aggregate {
    outcomes = outcomes == null ? Map.of() : outcomes;
    httpStatus = httpStatus == null ? Map.of() : httpStatus;
    replyErrors = replyErrors == null ? Map.of() : replyErrors;
    routedByDeployment = routedByDeployment == null ? Map.of() : routedByDeployment;
    expectedMass = expectedMass == null ? Map.of() : expectedMass;
  }

  /** This state with one more contribution. */
  public Aggregate plus(Contribution c) {
    return switch (c.kind()) {
      case DISPATCH -> plusDispatch(c);
      case ATTEMPT -> plusAttempt(c);
      case REPLY -> plusReply(c);
    };
  }

  private Aggregate plusDispatch(Contribution c) {
    if (c.hop() > 0) {
      return new Aggregate(routed, rerouted + 1, attempts, successes, errors, retries, fallbacks, outcomes, httpStatus,
          replies, expired, replyErrors, histogram, latencySumMs, tokensIn, tokensOut, costUsd, routedByDeployment,
          expectedMass);
    }
    Map<String, Long> byDeployment = increment(routedByDeployment, c.deploymentId());
    Map<String, Double> mass = expectedMass;
    if (!c.expected().isEmpty()) {
      TreeMap<String, Double> m = new TreeMap<>(expectedMass);
      c.expected().forEach((d, share) -> m.merge(d, share, Double::sum));
      mass = m;
    }
    return new Aggregate(routed + 1, rerouted, attempts, successes, errors, retries, fallbacks, outcomes, httpStatus,
        replies, expired, replyErrors, histogram, latencySumMs, tokensIn, tokensOut, costUsd, byDeployment, mass);
  }

  private Aggregate plusAttempt(Contribution c) {
    Outcome o = c.outcome();
    Histogram h = LatencyHistograms.decode(histogram);
    LatencyHistograms.record(h, c.latencyMs());
    return new Aggregate(routed, rerouted, attempts + 1, successes + (o == Outcome.SUCCESS ? 1 : 0),
        errors + (o == Outcome.SUCCESS ? 0 : 1), retries + (o == Outcome.RETRY ? 1 : 0),
        fallbacks + (o == Outcome.FALLBACK || o == Outcome.CONTEXT_WINDOW ? 1 : 0),
        increment(outcomes, o.name()), increment(httpStatus, statusClass(c.httpStatus())), replies, expired,
        replyErrors, LatencyHistograms.encode(h), latencySumMs + Math.max(0, c.latencyMs()), tokensIn + c.tokensIn(),
        tokensOut + c.tokensOut(), costUsd + c.costUsd(), routedByDeployment, expectedMass);
  }

  private Aggregate plusReply(Contribution c) {
    Map<String, Long> errorsByCode = c.status() != ReplyStatus.OK && c.errorCode() != null
        ? increment(replyErrors, c.errorCode().wire()) : replyErrors;
    return new Aggregate(routed, rerouted, attempts, successes, errors, retries, fallbacks, outcomes, httpStatus,
        replies + 1, expired + (c.status() == ReplyStatus.EXPIRED ? 1 : 0), errorsByCode, histogram, latencySumMs,
        tokensIn, tokensOut, costUsd, routedByDeployment, expectedMass);
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
  public MetricsSummary toSummary(MetricsSummary.Scope scope, String name, Instant windowStart, Instant windowEnd,
      Instant now) {
    Histogram h = LatencyHistograms.decode(histogram);
    long count = h.getTotalCount();
    MetricsSummary.Latency latency = count == 0 ? MetricsSummary.Latency.EMPTY
        : new MetricsSummary.Latency(count, h.getValueAtPercentile(50), h.getValueAtPercentile(95),
            h.getValueAtPercentile(99), h.getMaxValue(), (double) latencySumMs / count, histogram);
    return new MetricsSummary(null, scope, name, windowStart, windowEnd, routed, rerouted, attempts, successes, errors,
        retries, fallbacks, outcomes, httpStatus, replies, expired, replyErrors, latency, tokensIn, tokensOut,
        costUsd, scope == MetricsSummary.Scope.MODEL ? shares() : List.of(), now);
  }

  private List<MetricsSummary.Share> shares() {
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

  /** Into 0..1, rounded to nine decimals (the mass is a sum of doubles). */
  private static double clamp(double share) {
    return Math.max(0, Math.min(1, Math.round(share * 1e9) / 1e9));
  }
}
