package io.switchboard.schemas.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.json.SchemaName;
import io.switchboard.schemas.json.Schemas;
import io.switchboard.schemas.json.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a YAML config: merges the profile overlay ({@code config.prod.yaml} beside {@code
 * config.yaml} for profile {@code prod}), substitutes {@code ${ENV_VAR}} references (except in
 * {@code api_key}, which stays a reference until the worker resolves it), validates against the
 * config schema and builds the immutable {@link SwitchboardConfig}. Errors name the file, the
 * path and the problem.
 */
public final class ConfigLoader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private final Function<String, String> env;

  public ConfigLoader(Function<String, String> env) {
    this.env = env;
  }

  /** A loader reading the process environment. */
  public static ConfigLoader fromEnvironment() {
    return new ConfigLoader(System::getenv);
  }

  /** Loads {@code file}, with the overlay of {@code profile} when it is not null. */
  public SwitchboardConfig load(Path file, String profile) {
    JsonNode tree = readYaml(file);
    String source = file.toString();
    if (profile != null && !profile.isBlank()) {
      Path overlay = overlayPath(file, profile);
      if (!Files.exists(overlay)) {
        throw new ConfigException(overlay + ": profile '" + profile + "' was asked for but this file does not exist");
      }
      tree = merge(tree, readYaml(overlay));
      source = file + " + " + overlay;
    }
    return fromTree(tree, source);
  }

  /** Builds a config from YAML text; {@code source} names it in errors. */
  public SwitchboardConfig parse(String yaml, String source) {
    try {
      return fromTree(YAML.readTree(yaml), source);
    } catch (IOException e) {
      throw new ConfigException(source + ": not valid YAML: " + e.getMessage(), e);
    }
  }

  static Path overlayPath(Path file, String profile) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String overlay = dot < 0 ? name + "." + profile : name.substring(0, dot) + "." + profile + name.substring(dot);
    return file.resolveSibling(overlay);
  }

  private SwitchboardConfig fromTree(JsonNode tree, String source) {
    if (tree == null || !tree.isObject()) {
      throw new ConfigException(source + ": the config must be a YAML mapping with at least model_list");
    }
    JsonNode resolved = substitute(tree, "", source);
    List<Violation> violations = Schemas.validate(SchemaName.CONFIG, resolved);
    if (!violations.isEmpty()) {
      throw new ConfigException(source + ": invalid config:\n  " + violations.stream()
          .map(Violation::toString).collect(Collectors.joining("\n  ")));
    }
    try {
      return Json.convert(resolved, SwitchboardConfig.class);
    } catch (IllegalArgumentException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new ConfigException(source + ": " + root.getMessage(), e);
    }
  }

  private JsonNode substitute(JsonNode node, String path, String source) {
    if (node.isTextual()) {
      if (path.endsWith("/api_key")) {
        return node;
      }
      Matcher m = ENV_REF.matcher(node.asText());
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String value = env.apply(m.group(1));
        if (value == null) {
          value = m.group(2);
        }
        if (value == null) {
          throw new ConfigException(source + ": " + path + " refers to ${" + m.group(1)
              + "}, which is not set in the environment (write ${" + m.group(1) + ":-default} for a default)");
        }
        m.appendReplacement(out, Matcher.quoteReplacement(value));
      }
      m.appendTail(out);
      return new TextNode(out.toString());
    }
    if (node.isObject()) {
      ObjectNode copy = Json.mapper().createObjectNode();
      node.fields().forEachRemaining(e -> copy.set(e.getKey(), substitute(e.getValue(), path + "/" + e.getKey(), source)));
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = Json.mapper().createArrayNode();
      for (int i = 0; i < node.size(); i++) {
        copy.add(substitute(node.get(i), path + "/" + i, source));
      }
      return copy;
    }
    return node;
  }

  /** Deep merge: mappings merge key by key, anything else in the overlay replaces the base. */
  static JsonNode merge(JsonNode base, JsonNode overlay) {
    if (overlay == null || overlay.isNull()) {
      return base;
    }
    if (!base.isObject() || !overlay.isObject()) {
      return overlay;
    }
    ObjectNode out = ((ObjectNode) base).deepCopy();
    Iterator<Map.Entry<String, JsonNode>> fields = overlay.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      JsonNode existing = out.get(e.getKey());
      out.set(e.getKey(), existing == null ? e.getValue() : merge(existing, e.getValue()));
    }
    return out;
  }

  private static JsonNode readYaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
  }
}
