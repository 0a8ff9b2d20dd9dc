package io.switchboard.schemas.config.litellm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Translates a LiteLLM proxy or router config ({@code model_list[].litellm_params}, {@code
 * router_settings}, {@code litellm_settings}) into the native config tree. The native tree then
 * goes through {@code ${ENV}} substitution and validation like any native file; {@code
 * os.environ/NAME} becomes {@code ${NAME}}, so an API key stays a reference until a worker resolves
 * it.
 *
 * <p>Top-level keys that are native (for example {@code kafka}, {@code topics}, {@code
 * worker_settings}) are kept as written, so one file can carry both. Every other key ({@code
 * general_settings}, {@code environment_variables}, ...) is ignored and reported by path only. The
 * mapping, key by key: {@code docs/litellm.md}.
 */
public final class LiteLlmTranslator {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The top-level order of a translated tree; other native keys follow in file order. */
  private static final List<String> ORDER =
      List.of(
          "model_list",
          "model_group_alias",
          "load_balance_groups",
          "fallbacks",
          "context_window_fallbacks",
          "content_policy_fallbacks",
          "default_fallbacks",
          "routing_strategies",
          "router_settings");

  private LiteLlmTranslator() {}

  /**
   * Whether {@code tree} is in LiteLLM's form: some entry of {@code model_list} has {@code
   * litellm_params}.
   */
  public static boolean isLiteLlm(JsonNode tree) {
    if (tree == null || !tree.path("model_list").isArray()) {
      return false;
    }
    for (JsonNode entry : tree.get("model_list")) {
      if (entry.has("litellm_params")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Translates a tree that {@link #isLiteLlm} accepts.
   *
   * @throws LiteLlmConfigException naming the LiteLLM key path and the problem
   */
  public static LiteLlmTranslation translate(JsonNode tree) {
    if (!isLiteLlm(tree)) {
      throw new LiteLlmConfigException(
          "model_list", "no entry has litellm_params: this is not a LiteLLM config");
    }
    Findings findings = new Findings();
    ObjectNode root = NODES.objectNode();
    root.set("model_list", Deployments.translate(tree.get("model_list"), findings));
    Iterator<Map.Entry<String, JsonNode>> fields = tree.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      String key = e.getKey();
      if (key.equals("model_list")
          || key.equals("router_settings")
          || key.equals("litellm_settings")) {
        continue;
      }
      if (NativeKeys.declared(key)) {
        root.set(key, e.getValue().deepCopy());
      } else {
        ignoreSection(key, e.getValue(), findings);
      }
    }
    Settings.translate(tree.get("litellm_settings"), tree.get("router_settings"), root, findings);
    return new LiteLlmTranslation(
        ordered(root), findings.ignored, findings.unsupported, findings.notes);
  }

  /**
   * A section Switchboard has no use for: its keys are listed one level down, so none is missed.
   */
  private static void ignoreSection(String key, JsonNode value, Findings findings) {
    if (value.isObject() && !value.isEmpty()) {
      value.fieldNames().forEachRemaining(name -> findings.ignore(key + "." + name));
    } else {
      findings.ignore(key);
    }
  }

  private static ObjectNode ordered(ObjectNode root) {
    ObjectNode sorted = NODES.objectNode();
    ORDER.forEach(
        k -> {
          if (root.has(k)) {
            sorted.set(k, root.get(k));
          }
        });
    root.fields()
        .forEachRemaining(
            e -> {
              if (!sorted.has(e.getKey())) {
                sorted.set(e.getKey(), e.getValue());
              }
            });
    return sorted;
  }
}
