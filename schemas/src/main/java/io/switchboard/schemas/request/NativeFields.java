package io.switchboard.schemas.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.WeightedModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The native envelope being built from a request in other shapes. Each native field is set once: a
 * second source for the same field (the native field itself, or another gateway's shape) is
 * refused, naming both.
 */
final class NativeFields {
  /** The native fields a gateway's shape may set. */
  private static final List<String> SETTABLE =
      List.of(
          "model", "load_balance_group", "load_balancer", "fallbacks", "num_retries", "timeout_ms");

  private final ObjectNode out;

  /** Native field name to the JSON pointer its value came from. */
  private final Map<String, String> sources = new LinkedHashMap<>();

  /**
   * Starts from {@code out}, the envelope without the shapes' fields: its native fields are taken.
   */
  NativeFields(ObjectNode out) {
    this.out = out;
    for (String field : SETTABLE) {
      if (out.has(field)) {
        sources.put(field, "/" + field);
      }
    }
  }

  void set(String field, JsonNode value, String source) throws RequestShapeException {
    String other = sources.putIfAbsent(field, source);
    if (other != null) {
      throw new RequestShapeException(
          source, "sets " + field + ", and so does " + other + "; keep one of the two");
    }
    out.set(field, value);
  }

  void setModels(String field, List<WeightedModel> models, String source)
      throws RequestShapeException {
    ArrayNode list = out.arrayNode();
    for (WeightedModel m : models) {
      ObjectNode member = list.addObject().put("model", m.model());
      if (m.weight() != null) {
        member.put("weight", m.weight());
      }
    }
    set(field, list, source);
  }

  void setChain(List<String> models, String source) throws RequestShapeException {
    ArrayNode chain = out.arrayNode();
    models.forEach(chain::add);
    set("fallbacks", chain, source);
  }

  /**
   * Sets {@code params} in a copy of the body (the body itself may be shared with the caller). A
   * missing or malformed body is left for the schema to name.
   */
  void setInBody(Map<String, JsonNode> params) {
    JsonNode body = out.get("body");
    if (params.isEmpty() || body == null || !body.isObject()) {
      return;
    }
    ObjectNode copy = out.objectNode();
    copy.setAll((ObjectNode) body);
    copy.setAll(params);
    out.set("body", copy);
  }

  /**
   * A retry object at {@code path}: its {@code countField} becomes {@code num_retries}, its {@code
   * codesField} is refused (see {@link #retryOnStatusCodes}).
   */
  void retries(JsonNode node, String path, String countField, String codesField, String what)
      throws RequestShapeException {
    ObjectNode retry = Fields.object(node, path);
    Fields.only(retry, path, Set.of(countField, codesField), what);
    if (retry.has(codesField)) {
      retryOnStatusCodes(Fields.child(path, codesField));
    }
    Fields.count(retry.get(countField), Fields.child(path, countField));
    set("num_retries", retry.get(countField), Fields.child(path, countField));
  }

  /** A per-attempt timeout in milliseconds at {@code path}: it becomes {@code timeout_ms}. */
  void timeoutMs(JsonNode millis, String path) throws RequestShapeException {
    Fields.millis(millis, path);
    set("timeout_ms", millis, path);
  }

  /**
   * Per-request retry status codes ({@code source}): the native envelope has no such field, so the
   * request is refused rather than retried on other codes than it asked for.
   */
  private void retryOnStatusCodes(String source) throws RequestShapeException {
    throw new RequestShapeException(
        source,
        "a request cannot choose the status codes its retries follow: the"
            + " workers retry by the config (router_settings.retry_on_status_codes, model_list[].retry_on_status_codes;"
            + " by default 408, 409, 429 and 5xx); remove this field");
  }
}
