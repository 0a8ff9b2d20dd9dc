package io.switchboard.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
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
 * @param priority the request's class; {@link Priority#DEFAULT} when absent (events written before
 *     classes existed), and then left off the wire
 * @param waitMs how long the request waited before this call started, from its routing ({@code
 *     routed_at} of the dispatch) to the call's start; null when unknown (older events)
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
    Instant at,
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Priority.IsDefault.class)
        Priority priority,
    Long waitMs) {

  public static final String TYPE = "attempt";

  public AttemptEvent {
    type = type == null ? TYPE : type;
    Objects.requireNonNull(requestId, "request_id");
    Objects.requireNonNull(deploymentId, "deployment_id");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(at, "at");
    priority = priority == null ? Priority.DEFAULT : priority;
    if (waitMs != null && waitMs < 0) {
      throw new IllegalArgumentException("wait_ms must be 0 or more, not " + waitMs);
    }
  }

  /** An event of class {@link Priority#DEFAULT} without a wait: the shape before classes. */
  public AttemptEvent(
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
    this(
        type,
        requestId,
        deploymentId,
        modelName,
        model,
        provider,
        outcome,
        httpStatus,
        latencyMs,
        tokensIn,
        tokensOut,
        costUsd,
        retry,
        error,
        at,
        Priority.DEFAULT,
        null);
  }

  /** The cost of {@code attempts} together, or null when none has a cost. */
  public static Double totalCost(List<AttemptEvent> attempts) {
    Double total = null;
    for (AttemptEvent a : attempts) {
      if (a.costUsd() != null) {
        total = (total == null ? 0 : total) + a.costUsd();
      }
    }
    return total;
  }
}
