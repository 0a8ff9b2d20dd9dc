package io.switchboard.client.batch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.provider.StopReason;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * Anthropic Message Batches lines. Input {@code params} become an OpenAI chat body: {@code system}
 * (a string or text blocks) becomes a first system message; message content that is a string stays
 * one; content blocks of type {@code text} become text parts and {@code image} blocks with a base64
 * source become {@code image_url} data-URL parts; {@code stop_sequences} becomes {@code stop};
 * {@code metadata.user_id} becomes {@code user}; {@code top_k} stays {@code top_k}: the worker
 * passes it on to Anthropic deployments, and OpenAI-compatible servers that know it (vLLM, ...)
 * take it too, while OpenAI itself rejects it. Other params (tools, ...) and other metadata fields
 * are refused as invalid lines, with an error naming the field.
 *
 * <p>Output, as Anthropic's results file: {@code {"custom_id", "result": {"type": "succeeded",
 * "message": <Anthropic message>}}}, {@code {"type": "errored", "error": {"type": "error", "error":
 * {"type": "invalid_request_error" | ..., "message"}}}} (the error is an Anthropic error response)
 * or {@code {"type": "expired"}}, plus the {@code switchboard} field.
 */
final class AnthropicFormat extends LineFormat {
  private static final Set<String> PARAMS =
      Set.of(
          "model",
          "max_tokens",
          "messages",
          "system",
          "temperature",
          "top_p",
          "top_k",
          "stop_sequences",
          "metadata",
          "stream");

  AnthropicFormat(boolean modelGiven) {
    super(modelGiven);
  }

  @Override
  BatchLine parse(String customId, ObjectNode line) throws InvalidLineException {
    JsonNode params = line.get("params");
    if (params == null || !params.isObject()) {
      throw new InvalidLineException("params must be a JSON object");
    }
    ObjectNode shapes = takeShapes((ObjectNode) params);
    for (Iterator<String> it = params.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!PARAMS.contains(field)) {
        throw new InvalidLineException(
            "params."
                + field
                + " is not supported by --format anthropic (supported: "
                + String.join(", ", PARAMS.stream().sorted().toList())
                + "); remove it from the line");
      }
    }
    JsonNode maxTokens = params.get("max_tokens");
    if (maxTokens == null
        || !maxTokens.canConvertToInt()
        || !maxTokens.isIntegralNumber()
        || maxTokens.asInt() < 1) {
      throw new InvalidLineException("params.max_tokens must be a positive integer");
    }
    if (params.path("stream").asBoolean(false)) {
      throw new InvalidLineException("params.stream must not be true in a batch");
    }
    JsonNode topK = params.get("top_k");
    if (topK != null
        && !topK.isNull()
        && (!topK.isIntegralNumber() || !topK.canConvertToInt() || topK.asInt() < 1)) {
      throw new InvalidLineException("params.top_k must be a positive integer, was " + topK);
    }
    JsonNode metadata = params.get("metadata");
    if (metadata != null && !metadata.isNull()) {
      if (!metadata.isObject()) {
        throw new InvalidLineException(
            "params.metadata must be a JSON object, was "
                + metadata.getNodeType().name().toLowerCase(Locale.ROOT));
      }
      for (Iterator<String> it = metadata.fieldNames(); it.hasNext(); ) {
        String field = it.next();
        if (!field.equals("user_id")) {
          throw new InvalidLineException(
              "params.metadata."
                  + field
                  + " is not supported by --format anthropic"
                  + " (supported: user_id); remove it from the line");
        }
      }
    }
    JsonNode messages = messages(params, "params");
    ObjectNode body = Json.mapper().createObjectNode();
    if (params.path("model").isTextual() && !params.get("model").asText().isBlank()) {
      body.put("model", params.get("model").asText());
    }
    ArrayNode out = body.putArray("messages");
    if (params.has("system")) {
      out.addObject().put("role", "system").put("content", systemText(params.get("system")));
    }
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String where = "params.messages[" + i + "]";
      String role = m.path("role").asText("");
      if (!role.equals("user") && !role.equals("assistant")) {
        throw new InvalidLineException(
            where + ".role must be \"user\" or \"assistant\", was " + m.get("role"));
      }
      ObjectNode converted = out.addObject().put("role", role);
      JsonNode content = m.get("content");
      if (content != null && content.isTextual()) {
        converted.put("content", content.asText());
      } else if (content != null && content.isArray()) {
        converted.set("content", parts(content, where + ".content"));
      } else {
        throw new InvalidLineException(
            where + ".content must be a string or an array of content blocks");
      }
    }
    body.put("max_tokens", maxTokens.asInt());
    copyIfPresent(params, "temperature", body, "temperature");
    copyIfPresent(params, "top_p", body, "top_p");
    copyIfPresent(params, "top_k", body, "top_k");
    copyIfPresent(params, "stop_sequences", body, "stop");
    if (params.path("metadata").hasNonNull("user_id")) {
      body.put("user", params.get("metadata").get("user_id").asText());
    }
    return line(customId, body, shapes, "params");
  }

  private static void copyIfPresent(JsonNode from, String field, ObjectNode to, String as) {
    if (from.hasNonNull(field)) {
      to.set(as, from.get(field));
    }
  }

  private static String systemText(JsonNode system) throws InvalidLineException {
    if (system.isTextual()) {
      return system.asText();
    }
    if (system.isArray()) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < system.size(); i++) {
        JsonNode block = system.get(i);
        if (!"text".equals(block.path("type").asText()) || !block.path("text").isTextual()) {
          throw new InvalidLineException("params.system[" + i + "] must be a text block");
        }
        text.append(i == 0 ? "" : "\n").append(block.get("text").asText());
      }
      return text.toString();
    }
    throw new InvalidLineException("params.system must be a string or an array of text blocks");
  }

  private static JsonNode parts(JsonNode blocks, String where) throws InvalidLineException {
    ArrayNode parts = Json.mapper().createArrayNode();
    boolean onlyText = true;
    for (int j = 0; j < blocks.size(); j++) {
      JsonNode block = blocks.get(j);
      String type = block.path("type").asText("");
      if (type.equals("text") && block.path("text").isTextual()) {
        parts.addObject().put("type", "text").put("text", block.get("text").asText());
      } else if (type.equals("image")
          && "base64".equals(block.path("source").path("type").asText())) {
        onlyText = false;
        JsonNode source = block.get("source");
        parts
            .addObject()
            .put("type", "image_url")
            .putObject("image_url")
            .put(
                "url",
                "data:"
                    + source.path("media_type").asText()
                    + ";base64,"
                    + source.path("data").asText());
      } else {
        throw new InvalidLineException(
            where
                + "["
                + j
                + "] of type '"
                + type
                + "' is not supported by --format"
                + " anthropic (text, and image with a base64 source, are)");
      }
    }
    if (onlyText) {
      StringBuilder text = new StringBuilder();
      for (int j = 0; j < parts.size(); j++) {
        text.append(j == 0 ? "" : "\n").append(parts.get(j).get("text").asText());
      }
      return Json.mapper().getNodeFactory().textNode(text.toString());
    }
    return parts;
  }

  @Override
  public ObjectNode output(String customId, RouteReply reply) {
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("custom_id", customId);
    ObjectNode result = out.putObject("result");
    if (reply.status() == ReplyStatus.OK) {
      result.put("type", "succeeded");
      result.set("message", message(reply));
    } else if (reply.status() == ReplyStatus.EXPIRED) {
      result.put("type", "expired");
    } else {
      result.put("type", "errored");
      result.set("error", errorResponse(errorType(reply), reply.error().message()));
    }
    out.set("switchboard", switchboardField(reply));
    return out;
  }

  /** An Anthropic message from an OpenAI chat completion. */
  static ObjectNode message(RouteReply reply) {
    JsonNode completion = reply.response();
    JsonNode choice = completion.path("choices").path(0);
    ObjectNode message = Json.mapper().createObjectNode();
    message.put("id", completion.path("id").asText(reply.id()));
    message.put("type", "message");
    message.put("role", "assistant");
    message.put("model", completion.path("model").asText(reply.model()));
    ArrayNode content = message.putArray("content");
    JsonNode text = choice.path("message").path("content");
    if (text.isTextual()) {
      content.addObject().put("type", "text").put("text", text.asText());
    }
    message.put("stop_reason", StopReason.toAnthropic(choice.path("finish_reason").asText("stop")));
    message.putNull("stop_sequence");
    ObjectNode usage = message.putObject("usage");
    usage.put("input_tokens", completion.path("usage").path("prompt_tokens").asInt(0));
    usage.put("output_tokens", completion.path("usage").path("completion_tokens").asInt(0));
    return message;
  }

  private static String errorType(RouteReply reply) {
    return switch (reply.error().code()) {
      case MALFORMED_JSON, INVALID_REQUEST, UNKNOWN_MODEL, CONTEXT_WINDOW_EXCEEDED ->
          "invalid_request_error";
      case REQUEST_TOO_LARGE -> "request_too_large";
      case FORBIDDEN_REPLY_TO -> "permission_error";
      case PROVIDER_ERROR -> {
        Integer status = lastHttpStatus(reply);
        yield status != null && status == 429
            ? "rate_limit_error"
            : status != null && status >= 400 && status < 500
                ? "invalid_request_error"
                : "api_error";
      }
      default -> "api_error";
    };
  }

  /** An Anthropic error response: {@code {"type": "error", "error": {"type", "message"}}}. */
  private static ObjectNode errorResponse(String type, String message) {
    ObjectNode response = Json.mapper().createObjectNode();
    response.put("type", "error");
    response.putObject("error").put("type", type).put("message", message);
    return response;
  }

  @Override
  public ObjectNode invalidOutput(long lineNumber, String customId, String message) {
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("custom_id", customId);
    ObjectNode result = out.putObject("result");
    result.put("type", "errored");
    result.set(
        "error", errorResponse("invalid_request_error", "line " + lineNumber + ": " + message));
    out.put("line", lineNumber);
    return out;
  }
}
