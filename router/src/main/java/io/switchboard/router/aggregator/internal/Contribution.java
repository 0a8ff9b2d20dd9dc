package io.switchboard.router.aggregator.internal;

import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import java.util.Map;
import java.util.Objects;

/**
 * What one input record adds to one summary: a routing decision, a provider call or a final reply,
 * reduced to the fields the aggregates count. Travels on the aggregator's repartition topic.
 *
 * @param kind which input it came from
 * @param deploymentId the deployment (null for replies the router answered itself)
 * @param hop the dispatch hop (dispatches only)
 * @param expected the candidate set's configured shares (first-route dispatches only, scope model)
 * @param outcome the call's outcome (attempts only)
 * @param httpStatus the call's HTTP status, null when none arrived (attempts only)
 * @param latencyMs the call's latency (attempts only)
 * @param tokensIn prompt tokens (attempts only)
 * @param tokensOut completion tokens (attempts only)
 * @param costUsd cost (attempts only)
 * @param status the reply's status (replies only)
 * @param errorCode the reply's error code (error and expired replies only)
 * @param priority the request's class (dispatches and attempts; null for replies, which carry none)
 * @param waitMs from routing to the call's start (first calls to a deployment only: a retry's wait
 *     holds its backoff, not a queue)
 */
public record Contribution(
    Kind kind,
    String deploymentId,
    int hop,
    Map<String, Double> expected,
    Outcome outcome,
    Integer httpStatus,
    long latencyMs,
    long tokensIn,
    long tokensOut,
    double costUsd,
    ReplyStatus status,
    ErrorCode errorCode,
    Priority priority,
    Long waitMs) {

  /** The input a contribution came from. */
  public enum Kind {
    DISPATCH,
    ATTEMPT,
    REPLY
  }

  public Contribution {
    Objects.requireNonNull(kind, "kind");
    expected = expected == null ? Map.of() : Map.copyOf(expected);
  }

  public static Contribution of(Dispatch d, Map<String, Double> expected) {
    return new Contribution(
        Kind.DISPATCH,
        d.deploymentId(),
        d.hop(),
        expected,
        null,
        null,
        0,
        0,
        0,
        0,
        null,
        null,
        d.request().priority(),
        null);
  }

  public static Contribution of(AttemptEvent a) {
    return new Contribution(
        Kind.ATTEMPT,
        a.deploymentId(),
        0,
        null,
        a.outcome(),
        a.httpStatus(),
        a.latencyMs(),
        a.tokensIn() == null ? 0 : a.tokensIn(),
        a.tokensOut() == null ? 0 : a.tokensOut(),
        a.costUsd() == null ? 0 : a.costUsd(),
        null,
        null,
        a.priority(),
        a.retry() == 0 ? a.waitMs() : null);
  }

  public static Contribution of(RouteReply r) {
    return new Contribution(
        Kind.REPLY,
        r.deploymentId(),
        0,
        null,
        null,
        null,
        0,
        0,
        0,
        0,
        r.status(),
        r.error() == null ? null : r.error().code(),
        null,
        null);
  }

  /** This contribution without the expected shares (they matter to scope model only). */
  public Contribution withoutExpected() {
    return expected.isEmpty()
        ? this
        : new Contribution(
            kind,
            deploymentId,
            hop,
            null,
            outcome,
            httpStatus,
            latencyMs,
            tokensIn,
            tokensOut,
            costUsd,
            status,
            errorCode,
            priority,
            waitMs);
  }
}
