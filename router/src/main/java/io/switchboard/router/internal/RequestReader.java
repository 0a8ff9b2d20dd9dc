package io.switchboard.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Causes;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.json.JsonInput;
import io.switchboard.schemas.json.JsonInputException;
import io.switchboard.schemas.json.SchemaName;
import io.switchboard.schemas.json.Schemas;
import io.switchboard.schemas.json.Violation;
import io.switchboard.schemas.request.RequestShapeException;
import io.switchboard.schemas.request.RequestShapes;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Turns the bytes of a request record into a {@link RouteRequest}, or into a {@link Rejection} that
 * says what was wrong and where. No input throws: every record whose id can be read (see {@link
 * RequestIds}) is answered, every other one is dead-lettered.
 */
final class RequestReader {
  /** How much of a rejected value a message quotes. */
  private static final int QUOTED = 100;

  /** Binds requests, resolved once rather than for every record. */
  private static final ObjectReader BINDER = Json.mapper().readerFor(RouteRequest.class);

  private final SwitchboardConfig config;
  private final JsonInput input;

  RequestReader(SwitchboardConfig config) {
    this(config, JsonInput.requests());
  }

  RequestReader(SwitchboardConfig config, JsonInput input) {
    this.config = config;
    this.input = input;
  }

  /** The outcome of reading one record: exactly one of the two is set. */
  record Read(RouteRequest request, Rejection rejection, String replyTopic) {}

  Read read(byte[] value) {
    String defaultReplies = config.topics().replies();
    if (value == null || value.length == 0) {
      return rejected(
          Rejection.of(ErrorCode.MALFORMED_JSON, "record has no value", "", null, true),
          defaultReplies);
    }
    if (value.length > config.routerSettings().maxRequestBytes()) {
      return rejected(
          Rejection.of(
              ErrorCode.REQUEST_TOO_LARGE,
              "record is "
                  + value.length
                  + " bytes; router_settings.max_request_bytes is "
                  + config.routerSettings().maxRequestBytes(),
              "",
              RequestIds.scan(value),
              true),
          defaultReplies);
    }
    JsonNode tree;
    try {
      tree = input.readTree(value);
    } catch (JsonInputException e) {
      return rejected(
          Rejection.of(ErrorCode.MALFORMED_JSON, e.getMessage(), "", RequestIds.scan(value), true),
          defaultReplies);
    }
    if (tree == null || !tree.isObject()) {
      String kind = tree == null ? "empty" : tree.getNodeType().name().toLowerCase(Locale.ROOT);
      return rejected(
          Rejection.of(
              ErrorCode.MALFORMED_JSON,
              "a request must be a JSON object, this record is " + kind,
              "",
              null,
              true),
          defaultReplies);
    }
    String idProblem = RequestIds.problem(tree.get("id"));
    if (idProblem != null) {
      return rejected(
          Rejection.of(
              ErrorCode.INVALID_REQUEST,
              idProblem + "; without an id there is no reply",
              "/id",
              null,
              true),
          defaultReplies);
    }
    String id = tree.get("id").asText();
    JsonNode replyTo = tree.get("reply_to");
    String replyTopic = defaultReplies;
    if (replyTo != null) {
      if (!replyTo.isTextual() || !config.replyTopicAllowed(replyTo.asText())) {
        return rejected(
            Rejection.of(
                ErrorCode.FORBIDDEN_REPLY_TO,
                "reply_to "
                    + quoted(replyTo)
                    + " is not on the reply_topics allowlist "
                    + config.replyTopics()
                    + "; the reply went to '"
                    + defaultReplies
                    + "'",
                "/reply_to",
                id,
                true),
            defaultReplies);
      }
      replyTopic = replyTo.asText();
    }
    try {
      tree = RequestShapes.toNative((ObjectNode) tree);
    } catch (RequestShapeException e) {
      return rejected(
          Rejection.of(ErrorCode.INVALID_REQUEST, e.getMessage(), e.field(), id, false),
          replyTopic);
    }
    List<Violation> violations = Schemas.validate(SchemaName.ROUTE_REQUEST, tree);
    if (!violations.isEmpty()) {
      String all = violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
      return rejected(
          Rejection.of(
              ErrorCode.INVALID_REQUEST,
              "request does not match its schema: " + all,
              violations.get(0).path(),
              id,
              false),
          replyTopic);
    }
    try {
      return new Read(bind((ObjectNode) tree), null, replyTopic);
    } catch (IOException | IllegalArgumentException e) {
      Throwable root = Causes.root(e);
      return rejected(
          Rejection.of(
              ErrorCode.INVALID_REQUEST,
              "request is not usable: " + root.getMessage(),
              "",
              id,
              false),
          replyTopic);
    }
  }

  /**
   * The request bound from the tree already parsed and validated, without writing it out again (as
   * convertValue would). The body, the largest part, is not bound: binding would build a copy of it
   * node by node; the request holds the parsed body itself.
   */
  private static RouteRequest bind(ObjectNode tree) throws IOException {
    if (!(tree.get("body") instanceof ObjectNode body)) {
      return BINDER.readValue(tree);
    }
    tree.set("body", tree.objectNode());
    try {
      return BINDER.<RouteRequest>readValue(tree).withBody(body);
    } finally {
      tree.set("body", body);
    }
  }

  private static Read rejected(Rejection rejection, String replyTopic) {
    return new Read(null, rejection, replyTopic);
  }

  /** {@code value} in quotes, cut short: a message names a bad value, it does not echo a record. */
  private static String quoted(JsonNode value) {
    String text = value.isTextual() ? value.asText() : value.toString();
    return "'" + (text.length() <= QUOTED ? text : text.substring(0, QUOTED) + "...") + "'";
  }
}
