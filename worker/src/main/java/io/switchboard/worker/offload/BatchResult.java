package io.switchboard.worker.offload;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.json.Json;
import java.util.Objects;

/**
 * The result of one request of a batch, in one shape for every provider: the HTTP status the
 * request got and OpenAI's body for it ({@code chat.completion} on 200, else the error shape {@code
 * {"error": {"message", "type", "code"}}}).
 *
 * @param customId the request's custom id in the job
 * @param status the request's HTTP status
 * @param body the OpenAI-shaped body
 */
public record BatchResult(String customId, int status, ObjectNode body) {
  public BatchResult {
    Objects.requireNonNull(customId, "customId");
    Objects.requireNonNull(body, "body");
  }

  /** This result as one line of a results file. */
  public String toLine() {
    ObjectNode line = Json.mapper().createObjectNode();
    line.put("custom_id", customId);
    line.put("status", status);
    line.set("body", body);
    return line.toString();
  }

  /** Reads a line written by {@link #toLine()}. */
  public static BatchResult fromLine(String line) {
    ObjectNode node = (ObjectNode) Json.parse(line);
    return new BatchResult(
        node.path("custom_id").asText(),
        node.path("status").asInt(),
        (ObjectNode) node.get("body"));
  }
}
