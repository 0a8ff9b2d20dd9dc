package io.switchboard.client.batch.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import java.util.Map;

/**
 * A valid input line, as an OpenAI chat completions body.
 *
 * @param customId the caller's id of the line
 * @param body the OpenAI chat completions body
 * @param model the model the line asks for ({@code body.model}, or its own routing's {@code
 *     model}), or null
 * @param routing the native routing fields ({@code model}, {@code load_balancer}, {@code
 *     fallbacks}, ...) that the line's request shape of another gateway maps to, or null when it
 *     uses none
 */
public record BatchLine(String customId, ObjectNode body, String model, ObjectNode routing) {
  /**
   * The request for this line. {@code model} or {@code group} (either may be null) route it unless
   * the line routes itself; a line that names its own candidates comes with neither.
   */
  public RouteRequest request(String id, String model, String group, Map<String, String> metadata) {
    String chosen = model != null ? model : group != null ? null : this.model;
    if (routing == null) {
      return new RouteRequest(
          id, chosen, group, null, null, null, null, null, null, null, metadata, null, body);
    }
    ObjectNode envelope = routing.deepCopy();
    envelope.put("id", id);
    if (chosen != null) {
      envelope.put("model", chosen);
    }
    if (group != null) {
      envelope.put("load_balance_group", group);
    }
    envelope.set("metadata", Json.tree(metadata));
    envelope.set("body", body);
    return Json.convert(envelope, RouteRequest.class);
  }
}
