package io.switchboard.client.batch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.json.Json;

/**
 * OpenAI Batch API lines. Output for an ok reply: {@code {"id": "batch_req_<hash of the request
 * id>", "custom_id", "response": {"status_code": 200, "request_id", "body": <chat.completion>},
 * "error": null, "switchboard": {...}}}. For an error or expired reply {@code response} is null, or
 * carries the provider's status and an OpenAI-style error body when a provider answered, and {@code
 * error} is {@code {code, message}} with the Switchboard error code.
 */
final class OpenAiFormat extends LineFormat {
  static final String METHOD = "POST";
  static final String URL = "/v1/chat/completions";

  OpenAiFormat(boolean modelGiven) {
    super(modelGiven);
  }

  @Override
  BatchLine parse(String customId, ObjectNode line) throws InvalidLineException {
    JsonNode method = line.get("method");
    if (method == null || !METHOD.equals(method.asText(null))) {
      throw new InvalidLineException(
          "method must be \"" + METHOD + "\", was " + (method == null ? "missing" : method));
    }
    JsonNode url = line.get("url");
    if (url == null || !URL.equals(url.asText(null))) {
      throw new InvalidLineException(
          "url must be \"" + URL + "\", was " + (url == null ? "missing" : url));
    }
    JsonNode body = line.get("body");
    if (body == null || !body.isObject()) {
      throw new InvalidLineException(
          "body must be a JSON object, was "
              + (body == null
                  ? "missing"
                  : body.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
    }
    ObjectNode shapes = takeShapes((ObjectNode) body);
    messages(body, "body");
    return line(customId, (ObjectNode) body, shapes, "body");
  }

  @Override
  public ObjectNode output(String customId, RouteReply reply) {
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("id", "batch_req_" + hex(CustomIds.hash(reply.id())));
    out.put("custom_id", customId);
    if (reply.status() == ReplyStatus.OK) {
      ObjectNode response = out.putObject("response");
      response.put("status_code", 200);
      response.put("request_id", reply.id());
      response.set("body", reply.response());
      out.putNull("error");
    } else {
      Integer status = lastHttpStatus(reply);
      if (status == null) {
        out.putNull("response");
      } else {
        ObjectNode response = out.putObject("response");
        response.put("status_code", status);
        response.put("request_id", reply.id());
        ObjectNode error = response.putObject("body").putObject("error");
        error.put("message", reply.error().message());
        error.put("type", reply.error().code().wire());
      }
      ObjectNode error = out.putObject("error");
      error.put("code", reply.error().code().wire());
      error.put("message", reply.error().message());
    }
    out.set("switchboard", switchboardField(reply));
    return out;
  }

  @Override
  public ObjectNode invalidOutput(long lineNumber, String customId, String message) {
    ObjectNode out = Json.mapper().createObjectNode();
    out.putNull("id");
    out.put("custom_id", customId);
    out.putNull("response");
    ObjectNode error = out.putObject("error");
    error.put("code", "invalid_input_line");
    error.put("message", "line " + lineNumber + ": " + message);
    out.put("line", lineNumber);
    return out;
  }
}
