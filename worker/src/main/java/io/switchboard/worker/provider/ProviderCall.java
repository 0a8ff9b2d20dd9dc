package io.switchboard.worker.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.DeploymentConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One attempt to call a provider.
 *
 * @param deployment the deployment to call; its {@code messages}, {@code override_params} and
 *     {@code model} are applied by the adapter
 * @param body the OpenAI chat completions body of the request, as the caller sent it (not modified)
 * @param requestId the request id, sent as {@code x-switchboard-request-id}
 * @param timeout the whole attempt's time limit: connection, request and response
 * @param onSent run once the request is written on a connection (on the HTTP client's thread), for
 *     the pacer that counts the call from then; a client without that moment never runs it
 */
public record ProviderCall(
    DeploymentConfig deployment,
    ObjectNode body,
    String requestId,
    Duration timeout,
    Runnable onSent) {

  /** A call whose sending nobody waits for. */
  public ProviderCall(
      DeploymentConfig deployment, ObjectNode body, String requestId, Duration timeout) {
    this(deployment, body, requestId, timeout, () -> {});
  }

  public ProviderCall {
    onSent = onSent == null ? () -> {} : onSent;
    Objects.requireNonNull(deployment, "deployment");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(
          "timeout of request '" + requestId + "' must be positive, was " + timeout);
    }
  }

  /**
   * The time limit of a call made now: the smallest of the deployment's {@code timeout_ms} (unset:
   * {@code defaultTimeoutMs}, which is {@code router_settings.timeout_ms}), the request's {@code
   * timeout_ms} and the time left to the request's {@code deadline}; at least 1 ms.
   */
  public static Duration timeout(
      DeploymentConfig deployment, long defaultTimeoutMs, RouteRequest request, Instant now) {
    long ms = deployment.timeoutMs() != null ? deployment.timeoutMs() : defaultTimeoutMs;
    if (request.timeoutMs() != null) {
      ms = Math.min(ms, request.timeoutMs());
    }
    if (request.deadline() != null) {
      ms = Math.min(ms, Duration.between(now, request.deadline()).toMillis());
    }
    return Duration.ofMillis(Math.max(1, ms));
  }
}
