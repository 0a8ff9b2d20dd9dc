package io.switchboard.schemas;

import java.time.Instant;
import java.util.Objects;

/**
 * One provider call: emitted by the worker to the metrics topic and carried in the attempt history
 * of dispatches and replies. Shape: {@code schemas/attempt-event.schema.json}.
 *
 * @param type always {@code "attempt"}; tells attempt events from other records on the metrics
 *     topic
 * @param requestId the request this call served
 * @param deploymentId the deployment called
 * @param modelName the alias or group the request was routed through
 * @param model the provider's model name
 * @param provider the provider kind ({@code openai}, {@code azure}, {@code anthropic}, ...)
 * @param outcome the classified outcome
 * @param httpStatus the HTTP status, or null when no response arrived (timeout, reset)
 * @param latencyMs wall time of the call
 * @param tokensIn prompt tokens from the provider's usage, when known
 * @param tokensOut completion tokens from the provider's usage, when known
 * @param costUsd cost from the deployment's configured prices, when known
 * @param retry 0 for the first call to this deployment, 1 for the first retry, ...
 * @param error a short, redacted description of the failure; null on success
 * @param at when the call ended
 */
public record AttemptEvent(
    String type,
    String requestId,
    String deploymentId,
    String modelName,
    String model,
    String provider,
    Outcome outcome,
    Integer httpStatus,
    long latencyMs,
    Integer tokensIn,
    Integer tokensOut,
    Double costUsd,
    int retry,
    String error,
    Instant at) {

  public static final String TYPE = "attempt";

  public AttemptEvent {
    type = type == null ? TYPE : type;
    Objects.requireNonNull(requestId, "request_id");
    Objects.requireNonNull(deploymentId, "deployment_id");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(at, "at");
  }
}
