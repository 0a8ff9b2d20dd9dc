package io.switchboard.schemas.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Keywords AI's request fields.
 *
 * <ul>
 *   <li>{@code load_balance_group: {"group_id": g}} becomes {@code load_balance_group: g};
 *   <li>{@code load_balance_group: {"group_id": g, "models": [{"model", "weight"}]}} becomes the
 *       inline {@code load_balancer} (as in Keywords AI, the listed models replace the group's);
 *   <li>{@code fallback_models: [m, ...]} becomes {@code fallbacks}.
 * </ul>
 *
 * A member without a weight keeps the native meaning: its deployments' own weights.
 */
final class KeywordsAiShape {
  static final String GROUP = "load_balance_group";
  static final String FALLBACK_MODELS = "fallback_models";

  private static final Set<String> GROUP_FIELDS = Set.of("group_id", "models");
  private static final String WHAT = "a Keywords AI load_balance_group";

  private KeywordsAiShape() {}

  /** Whether {@code envelope} uses this shape (a string {@code load_balance_group} is native). */
  static boolean usedBy(ObjectNode envelope) {
    return envelope.has(FALLBACK_MODELS) || envelope.path(GROUP).isObject();
  }

  static void read(ObjectNode envelope, NativeFields fields) throws RequestShapeException {
    JsonNode group = envelope.get(GROUP);
    if (group != null && group.isObject()) {
      String path = "/" + GROUP;
      Fields.only((ObjectNode) group, path, GROUP_FIELDS, WHAT);
      if (group.has("group_id")) {
        Fields.text(group.get("group_id"), path + "/group_id");
      }
      if (group.has("models")) {
        fields.setModels(
            "load_balancer",
            Fields.members(group.get("models"), path + "/models", WHAT + "'s models", null),
            path + "/models");
      } else if (group.has("group_id")) {
        fields.set(GROUP, group.get("group_id"), path + "/group_id");
      } else {
        throw new RequestShapeException(
            path + "/group_id",
            "is missing: name the group (load_balance_groups in the"
                + " config), or list its models");
      }
    }
    if (envelope.has(FALLBACK_MODELS)) {
      String path = "/" + FALLBACK_MODELS;
      ArrayNode list = Fields.nonEmptyArray(envelope.get(FALLBACK_MODELS), path);
      List<String> chain = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        chain.add(Fields.text(list.get(i), Fields.child(path, i)));
      }
      fields.setChain(chain, path);
    }
  }
}
