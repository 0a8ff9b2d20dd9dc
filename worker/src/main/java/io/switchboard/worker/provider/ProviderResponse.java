package io.switchboard.worker.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one provider call produced: either an HTTP response or a transport failure. Everything in it
 * is redacted and safe to log or publish.
 *
 * @param status the HTTP status, or null when no response arrived ({@link #failure()} says why)
 * @param headers the response headers that matter for retries and rate limits ({@link
 *     #RETRY_HEADERS}), names in lower case
 * @param body for a completion: OpenAI's {@code chat.completion} object; for an error: OpenAI's
 *     error shape {@code {"error": {"message", "type", "code"}}}; null for a transport failure
 * @param usage token usage when the provider reported it
 * @param latency wall time from sending the request to reading the whole response
 * @param failure why no usable response arrived; null when {@code status} is set
 */
public record ProviderResponse(
    Integer status,
    Map<String, String> headers,
    ObjectNode body,
    Usage usage,
    Duration latency,
    TransportFailure failure) {

  /**
   * Response headers kept: the server's hints of when to come back (for the retry policy) and its
   * rate-limit state (for learning a deployment's real limit): OpenAI's and Azure's {@code
   * x-ratelimit-*}, Anthropic's {@code anthropic-ratelimit-*}.
   */
  public static final java.util.List<String> RETRY_HEADERS =
      java.util.List.of(
          "retry-after",
          "retry-after-ms",
          "x-ratelimit-reset-requests",
          "x-ratelimit-reset-tokens",
          "x-ratelimit-limit-requests",
          "x-ratelimit-limit-tokens",
          "x-ratelimit-remaining-requests",
          "x-ratelimit-remaining-tokens",
          "anthropic-ratelimit-requests-limit",
          "anthropic-ratelimit-requests-remaining",
          "anthropic-ratelimit-requests-reset",
          "anthropic-ratelimit-tokens-limit",
          "anthropic-ratelimit-tokens-remaining",
          "anthropic-ratelimit-tokens-reset");

  public ProviderResponse {
    Objects.requireNonNull(latency, "latency");
    if ((status == null) == (failure == null)) {
      throw new IllegalArgumentException(
          "a provider response has either a status or a transport failure, was "
              + status
              + " / "
              + failure);
    }
    Map<String, String> lower = new TreeMap<>();
    if (headers != null) {
      headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    }
    headers = Map.copyOf(lower);
  }

  /** An HTTP response. */
  public static ProviderResponse http(
      int status, Map<String, String> headers, ObjectNode body, Usage usage, Duration latency) {
    return new ProviderResponse(status, headers, body, usage, latency, null);
  }

  /** A call that got no usable HTTP response. */
  public static ProviderResponse failed(TransportFailure failure, Duration latency) {
    return new ProviderResponse(null, Map.of(), null, null, latency, failure);
  }

  /** True for a 2xx response whose body is a chat completion with at least one choice. */
  public boolean isCompletion() {
    if (status == null || status / 100 != 2 || body == null) {
      return false;
    }
    JsonNode choices = body.get("choices");
    return choices != null
        && choices.isArray()
        && !choices.isEmpty()
        && choices.get(0).has("message");
  }

  /** A header by case-insensitive name, or null. */
  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** {@code error.code} of an error body (OpenAI shape), or null. */
  public String errorCode() {
    JsonNode code = body == null ? null : body.path("error").get("code");
    return code == null || code.isNull() ? null : code.asText();
  }

  /** {@code error.type} of an error body (OpenAI shape), or null. */
  public String errorType() {
    JsonNode type = body == null ? null : body.path("error").get("type");
    return type == null || type.isNull() ? null : type.asText();
  }

  /** {@code error.message} of an error body, the transport failure's message, or null. */
  public String errorMessage() {
    if (failure != null) {
      return failure.message();
    }
    JsonNode message = body == null ? null : body.path("error").get("message");
    return message == null || message.isNull() ? null : message.asText();
  }

  /**
   * A one-line description for attempt events: {@code "HTTP 429: Rate limit reached"}, {@code
   * "timeout: ..."}.
   */
  public String describe() {
    if (failure != null) {
      return failure.kind().name().toLowerCase(Locale.ROOT) + ": " + failure.message();
    }
    String message = errorMessage();
    return message == null ? "HTTP " + status : "HTTP " + status + ": " + message;
  }
}
