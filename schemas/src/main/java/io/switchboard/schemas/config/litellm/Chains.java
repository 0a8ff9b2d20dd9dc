package io.switchboard.schemas.config.litellm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Fallback chains. LiteLLM writes them as a list of one-key mappings, {@code [{gpt-4o: [claude]},
 * {claude: [gpt-4o-mini]}]}, each value a list of model names or one name; the native form is the
 * mapping {@code {gpt-4o: [claude], claude: [gpt-4o-mini]}}, which is also accepted as it is.
 */
final class Chains {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Chains() {}

  /**
   * Adds the chains of {@code given} to {@code into}; an alias already there gets the new chain.
   */
  static void addTo(ObjectNode into, JsonNode given, String at) {
    if (given.isObject()) {
      addMapping(into, given, at);
      return;
    }
    if (!given.isArray()) {
      throw new LiteLlmConfigException(
          at,
          "expected a list of mappings like [{gpt-4o: [claude-sonnet]}], got "
              + Values.kind(given));
    }
    for (int i = 0; i < given.size(); i++) {
      JsonNode item = given.get(i);
      if (!item.isObject()) {
        throw new LiteLlmConfigException(
            at + "[" + i + "]",
            "expected a mapping of a model to its fallbacks, like "
                + "{gpt-4o: [claude-sonnet]}, got "
                + Values.kind(item));
      }
      addMapping(into, item, at + "[" + i + "]");
    }
  }

  private static void addMapping(ObjectNode into, JsonNode mapping, String at) {
    Iterator<Map.Entry<String, JsonNode>> fields = mapping.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      into.set(e.getKey(), models(e.getValue(), at + "." + e.getKey()));
    }
  }

  /** A list of model names, or one name, as a list. */
  static ArrayNode models(JsonNode given, String at) {
    ArrayNode out = NODES.arrayNode();
    if (given.isTextual()) {
      return out.add(given.asText());
    }
    if (!given.isArray()) {
      throw new LiteLlmConfigException(
          at, "expected a list of model names, got " + Values.kind(given));
    }
    for (int i = 0; i < given.size(); i++) {
      if (!given.get(i).isTextual()) {
        throw new LiteLlmConfigException(
            at + "[" + i + "]", "expected a model name, got " + Values.kind(given.get(i)));
      }
      out.add(given.get(i).asText());
    }
    return out;
  }
}
