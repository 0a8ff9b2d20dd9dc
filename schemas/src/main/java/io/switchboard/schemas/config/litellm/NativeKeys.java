package io.switchboard.schemas.config.litellm;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.json.SchemaName;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Which native keys the shipped {@code config.schema.json} declares. A LiteLLM setting whose native
 * key is not declared yet is left out of the translation and reported as not yet supported, rather
 * than failing the whole config.
 */
final class NativeKeys {
  private static final JsonNode SCHEMA = load();

  private NativeKeys() {}

  /**
   * Whether the schema declares the key at {@code path}, written as a config key's path: {@code
   * router_settings.retry_policy}, {@code model_list[].lanes}, {@code kafka}.
   */
  static boolean declared(String path) {
    JsonNode node = SCHEMA;
    for (String segment : path.split("\\.")) {
      boolean list = segment.endsWith("[]");
      JsonNode child =
          deref(node)
              .path("properties")
              .get(list ? segment.substring(0, segment.length() - 2) : segment);
      if (child == null) {
        return false;
      }
      node = list ? deref(child).path("items") : child;
    }
    return true;
  }

  private static JsonNode deref(JsonNode node) {
    String ref = node.path("$ref").asText("");
    return ref.startsWith("#/") ? deref(SCHEMA.at(ref.substring(1))) : node;
  }

  private static JsonNode load() {
    try (InputStream in = NativeKeys.class.getResourceAsStream(SchemaName.CONFIG.resource())) {
      if (in == null) {
        throw new IllegalStateException(
            SchemaName.CONFIG.resource() + " is missing from the class path");
      }
      return Json.mapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
