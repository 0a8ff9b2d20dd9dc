package io.switchboard.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A chat completion request with its routing envelope, as published to the requests topic. The JSON
 * shape is {@code schemas/route-request.schema.json}.
 *
 * <p>Candidate precedence: {@link #loadBalancer()} &gt; {@link #model()} &gt; {@link
 * #loadBalanceGroup()}. When none is set the router falls back to {@code body.model}.
 *
 * @param id unique request id; the reply carries it back
 * @param model a model alias ({@code model_list[].model_name}) or a deployment id
 * @param loadBalanceGroup a named group from {@code load_balance_groups}
 * @param loadBalancer an inline weighted list; overrides {@code model} and the group
 * @param fallbacks models to try, in order, when no deployment of the candidate set is left
 * @param contextWindowFallbacks models to try when the prompt does not fit the context window
 * @param numRetries how many times the router may re-route the request to another deployment of its
 *     candidate set before the fallback chain; overrides {@code router_settings.num_retries}
 * @param timeoutMs per-attempt timeout; a call's timeout is the smallest of this, the deployment's
 *     {@code timeout_ms} and the time left to the deadline
 * @param deadline after this instant the request is answered {@code expired}
 * @param replyTo the reply topic; must match the {@code reply_topics} allowlist
 * @param metadata free-form string pairs echoed on the reply
 * @param priority the request's class; {@link Priority#DEFAULT} when the envelope has none
 * @param body the OpenAI chat completions body ({@code messages}, {@code max_tokens}, ...)
 */
public record RouteRequest(
    String id,
    String model,
    String loadBalanceGroup,
    List<WeightedModel> loadBalancer,
    List<String> fallbacks,
    List<String> contextWindowFallbacks,
    Integer numRetries,
    Long timeoutMs,
    Instant deadline,
    String replyTo,
    Map<String, String> metadata,
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Priority.IsDefault.class)
        Priority priority,
    ObjectNode body) {

  public RouteRequest {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("id must be a non-empty string");
    }
    Objects.requireNonNull(body, "body");
    loadBalancer = loadBalancer == null ? null : List.copyOf(loadBalancer);
    fallbacks = fallbacks == null ? null : List.copyOf(fallbacks);
    contextWindowFallbacks =
        contextWindowFallbacks == null ? null : List.copyOf(contextWindowFallbacks);
    metadata = metadata == null ? null : Map.copyOf(metadata);
    priority = priority == null ? Priority.DEFAULT : priority;
  }

  /** The smallest valid request: an id, a model and a body. */
  public static RouteRequest of(String id, String model, ObjectNode body) {
    return new RouteRequest(
        id, model, null, null, null, null, null, null, null, null, null, null, body);
  }

  public RouteRequest withReplyTo(String topic) {
    return new RouteRequest(
        id,
        model,
        loadBalanceGroup,
        loadBalancer,
        fallbacks,
        contextWindowFallbacks,
        numRetries,
        timeoutMs,
        deadline,
        topic,
        metadata,
        priority,
        body);
  }

  public RouteRequest withDeadline(Instant at) {
    return new RouteRequest(
        id,
        model,
        loadBalanceGroup,
        loadBalancer,
        fallbacks,
        contextWindowFallbacks,
        numRetries,
        timeoutMs,
        at,
        replyTo,
        metadata,
        priority,
        body);
  }

  public RouteRequest withPriority(Priority p) {
    return new RouteRequest(
        id,
        model,
        loadBalanceGroup,
        loadBalancer,
        fallbacks,
        contextWindowFallbacks,
        numRetries,
        timeoutMs,
        deadline,
        replyTo,
        metadata,
        p,
        body);
  }

  /** The same request with {@code b} as its body (the node itself, not a copy). */
  public RouteRequest withBody(ObjectNode b) {
    return new RouteRequest(
        id,
        model,
        loadBalanceGroup,
        loadBalancer,
        fallbacks,
        contextWindowFallbacks,
        numRetries,
        timeoutMs,
        deadline,
        replyTo,
        metadata,
        priority,
        b);
  }
}
