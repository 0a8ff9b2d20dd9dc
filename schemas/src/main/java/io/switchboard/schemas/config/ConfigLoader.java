package io.switchboard.schemas.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.switchboard.schemas.config.litellm.LiteLlmConfigException;
import io.switchboard.schemas.config.litellm.LiteLlmTranslation;
import io.switchboard.schemas.config.litellm.LiteLlmTranslator;
import io.switchboard.schemas.json.Causes;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.json.SchemaName;
import io.switchboard.schemas.json.Schemas;
import io.switchboard.schemas.json.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a YAML config: merges the profile overlay ({@code config.prod.yaml} beside {@code
 * config.yaml} for profile {@code prod}), substitutes {@code ${ENV_VAR}} references (except in
 * {@code api_key}, which stays a reference until the worker resolves it), validates against the
 * config schema and builds the immutable {@link SwitchboardConfig}. Errors name the file, the path
 * and the problem.
 *
 * <p>A file in LiteLLM's form (an entry of {@code model_list} has {@code litellm_params}) is first
 * translated into the native form ({@link LiteLlmTranslator}); by default the keys it leaves out
 * are logged in one warning line, by path only.
 */
public final class ConfigLoader {
  private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern ENV_REF =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private final Function<String, String> env;
  private final BiConsumer<String, LiteLlmTranslation> translated;

  public ConfigLoader(Function<String, String> env) {
    this(env, (source, t) -> t.warning(source).ifPresent(log::warn));
  }

  /**
   * A loader that hands each LiteLLM translation, with the name of its file, to {@code translated}
   * instead of logging what it left out.
   */
  public ConfigLoader(
      Function<String, String> env, BiConsumer<String, LiteLlmTranslation> translated) {
    this.env = env;
    this.translated = translated;
  }

  /** A loader reading the process environment. */
  public static ConfigLoader fromEnvironment() {
    return new ConfigLoader(System::getenv);
  }

  /** Loads {@code file}, with the overlay of {@code profile} when it is not null. */
  public SwitchboardConfig load(Path file, String profile) {
    JsonNode tree = nativeForm(readYaml(file), file.toString());
    String source = file.toString();
    if (profile != null && !profile.isBlank()) {
      Path overlay = overlayPath(file, profile);
      if (!Files.exists(overlay)) {
        throw new ConfigException(
            overlay + ": profile '" + profile + "' was asked for but this file does not exist");
      }
      tree =
          merge(
              tree,
              nativeForm(readYaml(overlay), overlay.toString()),
              file.toString(),
              overlay.toString());
      source = file + " + " + overlay;
    }
    return fromTree(tree, source);
  }

  /** Builds a config from YAML text; {@code source} names it in errors. */
  public SwitchboardConfig parse(String yaml, String source) {
    JsonNode tree;
    try {
      tree = YAML.readTree(yaml);
    } catch (IOException e) {
      throw new ConfigException(source + ": not valid YAML: " + e.getMessage(), e);
    }
    return fromTree(nativeForm(tree, source), source);
  }

  /**
   * The tree itself, or its translation when it is in LiteLLM's form (each file of a profile on its
   * own).
   */
  private JsonNode nativeForm(JsonNode tree, String source) {
    if (!LiteLlmTranslator.isLiteLlm(tree)) {
      return tree;
    }
    try {
      LiteLlmTranslation translation = LiteLlmTranslator.translate(tree);
      translated.accept(source, translation);
      return translation.tree();
    } catch (LiteLlmConfigException e) {
      throw new ConfigException(source + ": " + e.getMessage());
    }
  }

  static Path overlayPath(Path file, String profile) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String overlay =
        dot < 0
            ? name + "." + profile
            : name.substring(0, dot) + "." + profile + name.substring(dot);
    return file.resolveSibling(overlay);
  }

  private SwitchboardConfig fromTree(JsonNode tree, String source) {
    if (tree == null || !tree.isObject()) {
      throw new ConfigException(
          source + ": the config must be a YAML mapping with at least model_list");
    }
    return fromNativeJson(substitute(tree, "", source), source);
  }

  /**
   * Builds a config from its native JSON form with {@code ${ENV}} references already resolved (the
   * form a live config version holds), with the checks and errors of a file's.
   *
   * @throws ConfigException naming {@code source}, the path and the problem
   */
  public static SwitchboardConfig fromNativeJson(JsonNode resolved, String source) {
    List<Violation> violations = Schemas.validate(SchemaName.CONFIG, resolved);
    if (!violations.isEmpty()) {
      throw new ConfigException(
          source
              + ": invalid config:\n  "
              + violations.stream()
                  .map(ConfigLoader::describe)
                  .collect(Collectors.joining("\n  ")));
    }
    try {
      return Json.convert(resolved, SwitchboardConfig.class);
    } catch (IllegalArgumentException e) {
      Throwable root = Causes.root(e);
      throw new ConfigException(source + ": " + root.getMessage(), e);
    }
  }

  /**
   * A violation as the user reads it: for a literal api_key, what to write instead rather than the
   * schema's regex.
   */
  private static String describe(Violation v) {
    if (v.path().endsWith("/api_key") && v.message().contains("regex")) {
      return v.path()
          + ": a literal key (not shown) is not accepted: write an environment reference like "
          + "${OPENAI_API_KEY} and set that variable where the workers run; keys never sit in a config file, which "
          + "reaches repositories, topics and logs";
    }
    return v.toString();
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
          throw new ConfigException(
              source
                  + ": "
                  + path
                  + " refers to ${"
                  + m.group(1)
                  + "}, which is not set in the environment (write ${"
                  + m.group(1)
                  + ":-default} for a default)");
        }
        m.appendReplacement(out, Matcher.quoteReplacement(value));
      }
      m.appendTail(out);
      return new TextNode(out.toString());
    }
    if (node.isObject()) {
      ObjectNode copy = Json.mapper().createObjectNode();
      node.fields()
          .forEachRemaining(
              e -> copy.set(e.getKey(), substitute(e.getValue(), path + "/" + e.getKey(), source)));
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

  /** {@link #merge(JsonNode, JsonNode, String, String)} with generic names for errors. */
  static JsonNode merge(JsonNode base, JsonNode overlay) {
    return merge(base, overlay, "base config", "profile overlay");
  }

  /**
   * Merges a profile overlay into the base config.
   *
   * <p>Mappings merge key by key; lists and scalars in the overlay replace the base's, except
   * {@code model_list}, whose entries are matched to the base's: an overlay entry with a {@code
   * deployment_id} matches the base entry with that id (explicit, or implied as {@link
   * DeploymentConfig#DEPLOYMENT_ID} says); an entry without one matches the base entry with its
   * {@code model_name} when exactly one has it. A matched entry is merged field by field (so an
   * overlay can change one deployment's {@code rpm} alone); an unmatched one is appended. An
   * overlay entry whose {@code model_name} matches several base entries is an error: it must name a
   * {@code deployment_id}.
   *
   * @throws ConfigException naming the overlay file, the entry and the problem
   */
  static JsonNode merge(JsonNode base, JsonNode overlay, String baseSource, String overlaySource) {
    if (overlay == null || overlay.isNull() || overlay.isMissingNode()) {
      return base;
    }
    if (base == null || !base.isObject() || !overlay.isObject()) {
      return overlay;
    }
    JsonNode merged = deepMerge(base, overlay);
    JsonNode baseList = base.get("model_list");
    JsonNode overlayList = overlay.get("model_list");
    if (baseList != null && baseList.isArray() && overlayList != null && overlayList.isArray()) {
      ((ObjectNode) merged)
          .set(
              "model_list",
              mergeModelList(
                  (ArrayNode) baseList, (ArrayNode) overlayList, baseSource, overlaySource));
    }
    return merged;
  }

  private static ArrayNode mergeModelList(
      ArrayNode base, ArrayNode overlay, String baseSource, String overlaySource) {
    ArrayNode out = base.deepCopy();
    List<String> ids = impliedIds(base);
    for (int i = 0; i < overlay.size(); i++) {
      JsonNode entry = overlay.get(i);
      String where = overlaySource + ": model_list[" + i + "]";
      if (!entry.isObject()) {
        throw new ConfigException(
            where + ": a deployment must be a mapping, was " + entry.getNodeType());
      }
      JsonNode id = entry.get("deployment_id");
      JsonNode name = entry.get("model_name");
      int match = -1;
      if (id != null && id.isTextual()) {
        match = ids.indexOf(id.asText());
      } else if (name != null && name.isTextual()) {
        List<Integer> same = new ArrayList<>();
        for (int j = 0; j < base.size(); j++) {
          if (name.asText().equals(base.get(j).path("model_name").asText(null))) {
            same.add(j);
          }
        }
        if (same.size() > 1) {
          throw new ConfigException(
              where
                  + ": model_name '"
                  + name.asText()
                  + "' matches "
                  + same.size()
                  + " deployments of "
                  + baseSource
                  + " ("
                  + same.stream().map(ids::get).collect(Collectors.joining(", "))
                  + "); add deployment_id to say which one to change");
        }
        match = same.isEmpty() ? -1 : same.get(0);
      } else {
        throw new ConfigException(
            where
                + ": needs a deployment_id or a model_name, to change a deployment of "
                + baseSource
                + " or to add one");
      }
      if (match >= 0) {
        out.set(match, deepMerge(out.get(match), entry));
      } else {
        out.add(entry);
      }
    }
    return out;
  }

  /** The deployment id of each entry, as {@link SwitchboardConfig} will assign them. */
  private static List<String> impliedIds(ArrayNode list) {
    List<String> names = new ArrayList<>();
    List<String> explicit = new ArrayList<>();
    for (JsonNode d : list) {
      names.add(d.path("model_name").asText(""));
      JsonNode id = d.get("deployment_id");
      explicit.add(id != null && id.isTextual() ? id.asText() : null);
    }
    return DeploymentIds.of(names, explicit);
  }

  /** Mappings merge key by key; anything else in the overlay replaces the base. */
  private static JsonNode deepMerge(JsonNode base, JsonNode overlay) {
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
      out.set(e.getKey(), existing == null ? e.getValue() : deepMerge(existing, e.getValue()));
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
