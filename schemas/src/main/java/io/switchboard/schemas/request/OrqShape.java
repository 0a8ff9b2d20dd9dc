package io.switchboard.schemas.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.WeightedModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * orq.ai's {@code orq} object.
 *
 * <ul>
 *   <li>{@code load_balancer}: a list {@code [{"model", "weight"}]}, or {@code {"type":
 *       "weight_based" | "round_robin", "models": [...]}}, becomes the inline {@code
 *       load_balancer}. A weight left out is orq.ai's default, 0.5; {@code round_robin} gives every
 *       model weight 1 and refuses a weight of its own;
 *   <li>{@code retries.count} becomes {@code num_retries}; {@code retries.on_codes} is refused (see
 *       {@link NativeFields#retries});
 *   <li>{@code timeout.call_timeout} (milliseconds) becomes {@code timeout_ms};
 *   <li>{@code fallbacks: [{"model"}]} becomes {@code fallbacks}.
 * </ul>
 */
final class OrqShape {
  static final String FIELD = "orq";

  /** orq.ai's weight for a weight_based model that gives none. */
  static final double DEFAULT_WEIGHT = 0.5;

  private static final String PATH = "/" + FIELD;
  private static final Set<String> ORQ_FIELDS =
      Set.of("load_balancer", "retries", "timeout", "fallbacks");
  private static final Set<String> BALANCER_FIELDS = Set.of("type", "models");
  private static final Set<String> TIMEOUT_FIELDS = Set.of("call_timeout");
  private static final Set<String> FALLBACK_FIELDS = Set.of("model");
  private static final String WHAT = "the orq object";

  private OrqShape() {}

  static void read(JsonNode node, NativeFields fields) throws RequestShapeException {
    ObjectNode orq = Fields.object(node, PATH);
    Fields.only(orq, PATH, ORQ_FIELDS, WHAT);
    if (orq.has("load_balancer")) {
      String path = PATH + "/load_balancer";
      fields.setModels("load_balancer", balancer(orq.get("load_balancer"), path), path);
    }
    if (orq.has("retries")) {
      fields.retries(
          orq.get("retries"), PATH + "/retries", "count", "on_codes", WHAT + "'s retries");
    }
    if (orq.has("timeout")) {
      String path = PATH + "/timeout";
      ObjectNode timeout = Fields.object(orq.get("timeout"), path);
      Fields.only(timeout, path, TIMEOUT_FIELDS, WHAT + "'s timeout");
      fields.timeoutMs(timeout.get("call_timeout"), path + "/call_timeout");
    }
    if (orq.has("fallbacks")) {
      String path = PATH + "/fallbacks";
      ArrayNode list = Fields.nonEmptyArray(orq.get("fallbacks"), path);
      List<String> chain = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        String at = Fields.child(path, i);
        ObjectNode entry = Fields.object(list.get(i), at);
        Fields.only(entry, at, FALLBACK_FIELDS, WHAT + "'s fallbacks");
        chain.add(Fields.text(entry.get("model"), at + "/model"));
      }
      fields.setChain(chain, path);
    }
  }

  private static List<WeightedModel> balancer(JsonNode node, String path)
      throws RequestShapeException {
    if (node != null && node.isArray()) {
      return Fields.members(node, path, WHAT + "'s load_balancer", DEFAULT_WEIGHT);
    }
    ObjectNode balancer = Fields.object(node, path);
    Fields.only(balancer, path, BALANCER_FIELDS, WHAT + "'s load_balancer");
    String type = Fields.text(balancer.get("type"), path + "/type");
    return switch (type) {
      case "weight_based" ->
          Fields.members(
              balancer.get("models"),
              path + "/models",
              WHAT + "'s load_balancer models",
              DEFAULT_WEIGHT);
      case "round_robin" -> roundRobin(balancer.get("models"), path + "/models");
      default ->
          throw new RequestShapeException(path + "/type", "must be weight_based or round_robin");
    };
  }

  private static List<WeightedModel> roundRobin(JsonNode node, String path)
      throws RequestShapeException {
    List<WeightedModel> members = Fields.members(node, path, WHAT + "'s load_balancer models", 1.0);
    for (int i = 0; i < members.size(); i++) {
      if (node.get(i).has("weight")) {
        throw new RequestShapeException(
            Fields.child(path, i) + "/weight",
            "round_robin gives every model the same"
                + " share; remove the weight, or use type weight_based");
      }
    }
    return members;
  }
}
