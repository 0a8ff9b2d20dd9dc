package io.switchboard.schemas;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one final reply to a request, on its reply topic. Shape: {@code
 * schemas/route-reply.schema.json}.
 *
 * @param id the request id
 * @param status {@code ok}, {@code error} or {@code expired}
 * @param response the provider's answer in the OpenAI chat completion shape (status ok)
 * @param error what went wrong (status error or expired)
 * @param deploymentId the deployment that answered (or last failed)
 * @param modelName the alias or group the request was routed through
 * @param model the provider's model name
 * @param provider the provider kind
 * @param attempts every provider call made for this request, in order
 * @param latencyMs from the router's first sight of the request to this reply
 * @param providerLatencyMs time spent in the successful provider call
 * @param costUsd total cost of all attempts, from the configured prices
 * @param metadata the request's metadata, echoed
 * @param createdAt when this reply was produced
 * @param batchJobId the provider's id of the batch job that answered the request; null when it was
 *     called in real time
 * @param configVersion the version of the live configuration of the last routing decision for the
 *     request (0: the start-up file)
 */
public record RouteReply(
    String id,
    ReplyStatus status,
    ObjectNode response,
    ReplyError error,
    String deploymentId,
    String modelName,
    String model,
    String provider,
    List<AttemptEvent> attempts,
    Long latencyMs,
    Long providerLatencyMs,
    Double costUsd,
    Map<String, String> metadata,
    Instant createdAt,
    String batchJobId,
    Long configVersion) {

  /**
   * A header of a reply record whose last attempt was not published on the metrics topic: the
   * worker folds the attempt event of the call that answered a request into the reply, which
   * carries it anyway, so a request costs one record less. Readers of attempt events (the metrics
   * aggregator) count that attempt from the reply. Replies without it (router rejections, replies
   * of workers before this header) had every attempt published on the metrics topic. Its value is
   * {@link #ATTEMPT_IN_REPLY}.
   */
  public static final String LAST_ATTEMPT_HEADER = "switchboard.last-attempt";

  /** The value of {@link #LAST_ATTEMPT_HEADER}. */
  public static final String ATTEMPT_IN_REPLY = "in-reply";

  public RouteReply {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "created_at");
    attempts = attempts == null ? List.of() : List.copyOf(attempts);
    metadata = metadata == null ? null : Map.copyOf(metadata);
    if (status == ReplyStatus.OK && response == null) {
      throw new IllegalArgumentException("an ok reply needs a response");
    }
    if (status != ReplyStatus.OK && error == null) {
      throw new IllegalArgumentException("a " + status.wire() + " reply needs an error");
    }
  }

  /** A reply of a request called in real time, without a config version. */
  public RouteReply(
      String id,
      ReplyStatus status,
      ObjectNode response,
      ReplyError error,
      String deploymentId,
      String modelName,
      String model,
      String provider,
      List<AttemptEvent> attempts,
      Long latencyMs,
      Long providerLatencyMs,
      Double costUsd,
      Map<String, String> metadata,
      Instant createdAt) {
    this(
        id,
        status,
        response,
        error,
        deploymentId,
        modelName,
        model,
        provider,
        attempts,
        latencyMs,
        providerLatencyMs,
        costUsd,
        metadata,
        createdAt,
        null,
        null);
  }

  /** This reply stamped with the config version of the routing decision behind it. */
  public RouteReply withConfigVersion(Long version) {
    return new RouteReply(
        id,
        status,
        response,
        error,
        deploymentId,
        modelName,
        model,
        provider,
        attempts,
        latencyMs,
        providerLatencyMs,
        costUsd,
        metadata,
        createdAt,
        batchJobId,
        version);
  }

  /** An error reply for a request that never reached a provider. */
  public static RouteReply rejected(
      String id, ReplyError error, Map<String, String> metadata, Instant now) {
    ReplyStatus status =
        error.code() == ErrorCode.DEADLINE_EXCEEDED ? ReplyStatus.EXPIRED : ReplyStatus.ERROR;
    return new RouteReply(
        id, status, null, error, null, null, null, null, List.of(), null, null, null, metadata,
        now);
  }
}
