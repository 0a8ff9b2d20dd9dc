package io.switchboard.router.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Causes;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.json.SchemaName;
import io.switchboard.schemas.json.Schemas;
import io.switchboard.schemas.json.Violation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns the bytes of a request record into a {@link RouteRequest}, or into a {@link Rejection}
 * that says what was wrong and where. Expected bad input never throws.
 */
final class RequestReader {
  /** Best effort: the id of a record too broken to parse, so it can still get a reply. */
  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"\\\\]{1,256})\"");

  private final SwitchboardConfig config;

  RequestReader(SwitchboardConfig config) {
    this.config = config;
  }

  /** The outcome of reading one record: exactly one of the two is set. */
  record Read(RouteRequest request, Rejection rejection, String replyTopic) {}

  Read read(byte[] value) {
    String defaultReplies = config.topics().replies();
    if (value == null || value.length == 0) {
      return rejected(Rejection.of(ErrorCode.MALFORMED_JSON, "record has no value", "", null, true), defaultReplies);
    }
    if (value.length > config.routerSettings().maxRequestBytes()) {
      return rejected(Rejection.of(ErrorCode.REQUEST_TOO_LARGE, "record is " + value.length
          + " bytes; router_settings.max_request_bytes is " + config.routerSettings().maxRequestBytes(), "",
          scanId(value), true), defaultReplies);
    }
    JsonNode tree;
    try {
      tree = Json.mapper().readTree(value);
    } catch (JsonProcessingException e) {
      return rejected(Rejection.of(ErrorCode.MALFORMED_JSON, "record is not valid JSON: " + e.getOriginalMessage()
          + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr(), "",
          scanId(value), true), defaultReplies);
    } catch (IOException e) {
      return rejected(Rejection.of(ErrorCode.MALFORMED_JSON, "record is not valid JSON: " + e.getMessage(), "",
          scanId(value), true), defaultReplies);
    }
    if (tree == null || !tree.isObject()) {
      String kind = tree == null ? "empty" : tree.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
      return rejected(Rejection.of(ErrorCode.MALFORMED_JSON, "a request must be a JSON object, this record is " + kind,
          "", null, true), defaultReplies);
    }
    JsonNode idNode = tree.get("id");
    String id = idNode != null && idNode.isTextual() && !idNode.asText().isBlank() ? idNode.asText() : null;
    if (id == null) {
      String problem = idNode == null ? "is missing" : "must be a non-empty string";
      return rejected(Rejection.of(ErrorCode.INVALID_REQUEST, "id " + problem + "; without an id there is no reply",
          "/id", null, true), defaultReplies);
    }
    JsonNode replyTo = tree.get("reply_to");
    String replyTopic = defaultReplies;
    if (replyTo != null) {
      if (!replyTo.isTextual() || !config.replyTopicAllowed(replyTo.asText())) {
        return rejected(Rejection.of(ErrorCode.FORBIDDEN_REPLY_TO, "reply_to '" + replyTo.asText()
            + "' is not on the reply_topics allowlist " + config.replyTopics() + "; the reply went to '"
            + defaultReplies + "'", "/reply_to", id, true), defaultReplies);
      }
      replyTopic = replyTo.asText();
    }
    List<Violation> violations = Schemas.validate(SchemaName.ROUTE_REQUEST, tree);
    if (!violations.isEmpty()) {
      String all = violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
      return rejected(Rejection.of(ErrorCode.INVALID_REQUEST, "request does not match its schema: " + all,
          violations.get(0).path(), id, false), replyTopic);
    }
    try {
      // From the tree already parsed and validated, without writing it out again (as convertValue would).
      return new Read(Json.mapper().treeToValue(tree, RouteRequest.class), null, replyTopic);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      Throwable root = Causes.root(e);
      return rejected(Rejection.of(ErrorCode.INVALID_REQUEST, "request is not usable: " + root.getMessage(), "", id,
          false), replyTopic);
    }
  }

  private static Read rejected(Rejection rejection, String replyTopic) {
    return new Read(null, rejection, replyTopic);
  }

  private static String scanId(byte[] value) {
    String head = new String(value, 0, Math.min(value.length, 4096), StandardCharsets.UTF_8);
    Matcher m = ID.matcher(head);
    return m.find() ? m.group(1) : null;
  }
}
