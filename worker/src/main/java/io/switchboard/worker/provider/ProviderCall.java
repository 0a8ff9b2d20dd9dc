package io.switchboard.worker.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.DeploymentConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * One attempt to call a provider.
 *
 * @param deployment the deployment to call; its {@code messages}, {@code override_params} and
 *     {@code model} are applied by the adapter
 * @param body the OpenAI chat completions body of the request, as the caller sent it (not modified)
 * @param requestId the request id, sent as {@code x-switchboard-request-id}
 * @param timeout the whole attempt's time limit: connection, request and response
 */
public record ProviderCall(DeploymentConfig deployment, ObjectNode body, String requestId, Duration timeout) {

  public ProviderCall {
    Objects.requireNonNull(deployment, "deployment");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout of request '" + requestId + "' must be positive, was " + timeout);
    }
  }
}
