package io.switchboard.schemas;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A request bound to one deployment, on that deployment's lane of the dispatch topic; also the
 * record a worker hands back on the fallbacks topic. Shape: {@code schemas/dispatch.schema.json}.
 *
 * @param request the original request
 * @param deploymentId the chosen deployment
 * @param modelName the alias, group or inline list the request was routed through
 * @param hop 0 for the first route, incremented by every fallback
 * @param estimatedTokens the router's estimate of prompt tokens plus {@code max_tokens}
 * @param fallbacksRemaining the fallback chain still to try, in order
 * @param contextWindowFallbacksRemaining the context-window chain still to try, in order
 * @param contentPolicyFallbacksRemaining the content-policy chain still to try, in order
 * @param attempts every provider call made so far for this request
 * @param handoff set by the worker when it hands the dispatch back to the router
 * @param receivedAt when the router first read the request
 * @param routedAt when the router chose this deployment
 * @param configVersion the version of the live configuration the router chose it by (0: the
 *     start-up file); null from routers before live configuration
 */
public record Dispatch(
    RouteRequest request,
    String deploymentId,
    String modelName,
    int hop,
    int estimatedTokens,
    List<String> fallbacksRemaining,
    List<String> contextWindowFallbacksRemaining,
    List<String> contentPolicyFallbacksRemaining,
    List<AttemptEvent> attempts,
    Handoff handoff,
    Instant receivedAt,
    Instant routedAt,
    Long configVersion) {

  public Dispatch {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(deploymentId, "deployment_id");
    Objects.requireNonNull(receivedAt, "received_at");
    Objects.requireNonNull(routedAt, "routed_at");
    fallbacksRemaining = fallbacksRemaining == null ? List.of() : List.copyOf(fallbacksRemaining);
    contextWindowFallbacksRemaining =
        contextWindowFallbacksRemaining == null
            ? List.of()
            : List.copyOf(contextWindowFallbacksRemaining);
    contentPolicyFallbacksRemaining =
        contentPolicyFallbacksRemaining == null
            ? List.of()
            : List.copyOf(contentPolicyFallbacksRemaining);
    attempts = attempts == null ? List.of() : List.copyOf(attempts);
  }

  /** A dispatch without a config version. */
  public Dispatch(
      RouteRequest request,
      String deploymentId,
      String modelName,
      int hop,
      int estimatedTokens,
      List<String> fallbacksRemaining,
      List<String> contextWindowFallbacksRemaining,
      List<String> contentPolicyFallbacksRemaining,
      List<AttemptEvent> attempts,
      Handoff handoff,
      Instant receivedAt,
      Instant routedAt) {
    this(
        request,
        deploymentId,
        modelName,
        hop,
        estimatedTokens,
        fallbacksRemaining,
        contextWindowFallbacksRemaining,
        contentPolicyFallbacksRemaining,
        attempts,
        handoff,
        receivedAt,
        routedAt,
        null);
  }

  public String id() {
    return request.id();
  }

  /** This dispatch handed back to the router with the attempts made on it. */
  public Dispatch handedOff(List<AttemptEvent> allAttempts, Handoff why) {
    return new Dispatch(
        request,
        deploymentId,
        modelName,
        hop,
        estimatedTokens,
        fallbacksRemaining,
        contextWindowFallbacksRemaining,
        contentPolicyFallbacksRemaining,
        allAttempts,
        why,
        receivedAt,
        routedAt,
        configVersion);
  }
}
