package io.switchboard.worker.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.DeploymentConfig;

/**
 * Applies a deployment's settings to a request's OpenAI body, the same way for every provider:
 *
 * <ol>
 *   <li>the deployment's {@code messages} are appended to {@code messages} (created if absent);
 *   <li>each top-level field of {@code override_params} replaces the body's field of that name;
 *   <li>{@code model} is set to the deployment's {@code model};
 *   <li>{@code stream} and {@code stream_options} are removed: the worker reads whole responses;
 *   <li>fields that only client libraries know ({@link #CLIENT_ONLY}: endpoints, keys, headers) are
 *       removed: a request can never carry them to a provider.
 * </ol>
 *
 * The caller's body is never modified. The new body shares the caller's values below its top level
 * (only top-level fields and the {@code messages} array are ever changed), so a body is not copied
 * whole for every call: read it, or change only its top level.
 */
public final class RequestShaper {
  /** Fields of client libraries, never part of a provider's body. */
  public static final java.util.Set<String> CLIENT_ONLY =
      java.util.Set.of(
          "api_key",
          "api_base",
          "base_url",
          "api_version",
          "organization",
          "headers",
          "extra_headers",
          "extra_query",
          "timeout",
          "default_headers");

  private RequestShaper() {}

  /** A new body for {@code deployment}. */
  public static ObjectNode shape(DeploymentConfig deployment, ObjectNode body) {
    ObjectNode shaped = body.objectNode();
    shaped.setAll(body);
    if (!deployment.messages().isEmpty()) {
      JsonNode existing = body.get("messages");
      ArrayNode messages = shaped.putArray("messages");
      if (existing instanceof ArrayNode array) {
        messages.addAll(array);
      }
      deployment.messages().forEach(m -> messages.add(m.deepCopy()));
    }
    if (deployment.overrideParams() != null) {
      deployment
          .overrideParams()
          .fields()
          .forEachRemaining(e -> shaped.set(e.getKey(), e.getValue().deepCopy()));
    }
    shaped.put("model", deployment.model());
    shaped.remove("stream");
    shaped.remove("stream_options");
    CLIENT_ONLY.forEach(shaped::remove);
    return shaped;
  }
}
