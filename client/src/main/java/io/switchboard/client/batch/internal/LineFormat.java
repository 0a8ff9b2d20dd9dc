package io.switchboard.client.batch.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.client.batch.BatchFormat;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.json.SchemaName;
import io.switchboard.schemas.json.Schemas;
import io.switchboard.schemas.json.Violation;
import io.switchboard.schemas.request.RequestShapeException;
import io.switchboard.schemas.request.RequestShapes;
import java.util.List;
import java.util.stream.Collectors;

/** Reads input lines and writes output lines of one {@link BatchFormat}. */
public abstract class LineFormat {
  /**
   * The longest custom id: a request id ({@code <16 hex batch id>:<custom_id>}) holds at most 256
   * characters.
   */
  public static final int MAX_CUSTOM_ID = 256 - 17;

  private final boolean modelGiven;

  LineFormat(boolean modelGiven) {
    this.modelGiven = modelGiven;
  }

  /**
   * The format's reader and writer; {@code modelGiven} is true when --model or --group routes every
   * line.
   */
  public static LineFormat of(BatchFormat format, boolean modelGiven) {
    return switch (format) {
      case OPENAI -> new OpenAiFormat(modelGiven);
      case ANTHROPIC -> new AnthropicFormat(modelGiven);
    };
  }

  /** Checks one input line and converts it to an OpenAI chat body. */
  public final BatchLine parse(String text) throws InvalidLineException {
    ObjectNode line = object(text);
    return parse(customId(line), line);
  }

  /**
   * Checks the rest of a line that is a JSON object with a valid {@code custom_id}, and converts
   * it.
   */
  abstract BatchLine parse(String customId, ObjectNode line) throws InvalidLineException;

  /** The output line for a reply. */
  public abstract ObjectNode output(String customId, RouteReply reply);

  /** The output line for an input line that was not sent ({@code --skip-invalid}). */
  public abstract ObjectNode invalidOutput(long lineNumber, String customId, String message);

  static ObjectNode object(String line) throws InvalidLineException {
    JsonNode node;
    try {
      node = Json.mapper().readTree(line);
    } catch (JsonProcessingException e) {
      throw new InvalidLineException("not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new InvalidLineException("not a JSON object");
    }
    return (ObjectNode) node;
  }

  static String customId(ObjectNode line) throws InvalidLineException {
    JsonNode id = line.get("custom_id");
    if (id == null || id.isNull()) {
      throw new InvalidLineException("custom_id is missing");
    }
    if (!id.isTextual() || id.asText().isBlank()) {
      throw new InvalidLineException("custom_id must be a non-empty string, was " + id);
    }
    if (id.asText().length() > MAX_CUSTOM_ID) {
      throw new InvalidLineException(
          "custom_id has "
              + id.asText().length()
              + " characters; at most "
              + MAX_CUSTOM_ID
              + " fit in a request id");
    }
    return id.asText();
  }

  /** The custom id of a line, if it has one that reads as a string; null otherwise. */
  public static String customIdOrNull(String line) {
    try {
      JsonNode id = Json.mapper().readTree(line).get("custom_id");
      return id != null && id.isTextual() ? id.asText() : null;
    } catch (JsonProcessingException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The {@code model} of {@code body} ({@code where} names it in errors); null when --model or
   * --group gives it.
   */
  String modelOf(ObjectNode body, String where) throws InvalidLineException {
    JsonNode model = body.get("model");
    if (model != null && model.isTextual() && !model.asText().isBlank()) {
      return model.asText();
    }
    if (!modelGiven) {
      throw new InvalidLineException(
          where + " is missing; give it on the line or pass --model or --group");
    }
    return null;
  }

  /**
   * Takes the fields of other gateways' request shapes ({@link RequestShapes#FIELDS}) out of {@code
   * request}, the body or params of a line; null when it has none.
   */
  static ObjectNode takeShapes(ObjectNode request) {
    ObjectNode shapes = null;
    for (String field : RequestShapes.FIELDS) {
      JsonNode value = request.remove(field);
      if (value != null) {
        shapes = shapes == null ? request.objectNode() : shapes;
        shapes.set(field, value);
      }
    }
    return shapes;
  }

  /**
   * The line of {@code body}, routed by {@code shapes} (from {@link #takeShapes}) when there are
   * any, as the router would route a request envelope of that shape; {@code where} names the line's
   * request in errors.
   */
  BatchLine line(String customId, ObjectNode body, ObjectNode shapes, String where)
      throws InvalidLineException {
    if (shapes == null) {
      return new BatchLine(customId, body, modelOf(body, where + ".model"), null);
    }
    String named =
        RequestShapes.FIELDS.stream()
            .filter(shapes::has)
            .sorted()
            .map(f -> where + "." + f)
            .collect(Collectors.joining(", "));
    shapes.set("body", body);
    ObjectNode routing;
    try {
      routing = RequestShapes.toNative(shapes);
    } catch (RequestShapeException e) {
      throw new InvalidLineException(dotted(where, e.field()) + ": " + e.reason());
    }
    ObjectNode routedBody = (ObjectNode) routing.remove("body");
    ObjectNode probe = routing.deepCopy().put("id", "line");
    probe.putObject("body").putArray("messages").addObject().put("role", "user");
    List<Violation> violations = Schemas.validate(SchemaName.ROUTE_REQUEST, probe);
    if (!violations.isEmpty()) {
      throw new InvalidLineException(
          "the routing of "
              + named
              + " does not fit the request envelope: "
              + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
    }
    if (!routing.has("model")
        && !routing.has("load_balancer")
        && !routing.has("load_balance_group")) {
      return new BatchLine(customId, routedBody, modelOf(routedBody, where + ".model"), routing);
    }
    if (modelGiven) {
      throw new InvalidLineException(
          "the routing of "
              + named
              + " and --model or --group both choose the line's"
              + " candidates; drop one of the two");
    }
    return new BatchLine(customId, routedBody, routing.path("model").textValue(), routing);
  }

  /**
   * A JSON pointer inside {@code where} in dotted form: {@code /orq/fallbacks/1} is {@code
   * <where>.orq.fallbacks[1]}.
   */
  static String dotted(String where, String pointer) {
    StringBuilder path = new StringBuilder(where);
    for (String segment : pointer.substring(1).split("/", -1)) {
      String name = segment.replace("~1", "/").replace("~0", "~");
      path.append(
          name.chars().allMatch(Character::isDigit) && !name.isEmpty()
              ? "[" + name + "]"
              : "." + name);
    }
    return path.toString();
  }

  /**
   * The {@code messages} of {@code request} ({@code where} names it in errors): a non-empty array.
   */
  static JsonNode messages(JsonNode request, String where) throws InvalidLineException {
    JsonNode messages = request.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new InvalidLineException(where + ".messages must be a non-empty array");
    }
    return messages;
  }

  /**
   * The {@code switchboard} field of every output line: {@code status, deployment_id, model,
   * model_name, attempts, latency_ms, cost_usd, tokens_in, tokens_out}, and {@code batch_job_id}
   * when a provider batch job answered the line (so its cost is the batch price).
   */
  static ObjectNode switchboardField(RouteReply reply) {
    ObjectNode s = Json.mapper().createObjectNode();
    s.put("status", reply.status().wire());
    s.put("deployment_id", reply.deploymentId());
    s.put("model", reply.model());
    s.put("model_name", reply.modelName());
    s.put("attempts", reply.attempts().size());
    s.put("latency_ms", reply.latencyMs());
    s.put("cost_usd", reply.costUsd());
    Integer in = null;
    Integer out = null;
    if (reply.status() == ReplyStatus.OK && reply.response().path("usage").isObject()) {
      JsonNode usage = reply.response().get("usage");
      in = usage.hasNonNull("prompt_tokens") ? usage.get("prompt_tokens").asInt() : null;
      out = usage.hasNonNull("completion_tokens") ? usage.get("completion_tokens").asInt() : null;
    } else {
      for (AttemptEvent a : reply.attempts()) {
        in = sum(in, a.tokensIn());
        out = sum(out, a.tokensOut());
      }
    }
    s.put("tokens_in", in);
    s.put("tokens_out", out);
    if (reply.batchJobId() != null) {
      s.put("batch_job_id", reply.batchJobId());
    }
    return s;
  }

  private static Integer sum(Integer total, Integer more) {
    if (more == null) {
      return total;
    }
    return total == null ? more : Integer.valueOf(total + more);
  }

  /** The provider's HTTP status of the last attempt, when one answered. */
  static Integer lastHttpStatus(RouteReply reply) {
    for (int i = reply.attempts().size() - 1; i >= 0; i--) {
      if (reply.attempts().get(i).httpStatus() != null) {
        return reply.attempts().get(i).httpStatus();
      }
    }
    return null;
  }

  static String hex(long v) {
    return String.format("%016x", v);
  }
}
