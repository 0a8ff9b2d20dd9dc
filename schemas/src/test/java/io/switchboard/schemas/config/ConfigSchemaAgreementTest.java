package io.switchboard.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every declared config key and the shipped {@code config.schema.json} say the same: name, type,
 * default, bounds, allowed values, pattern, whether required, and doc. And every property of the
 * schema is a declared key.
 */
class ConfigSchemaAgreementTest {
  static final List<Class<?>> SECTIONS =
      List.of(
          SwitchboardConfig.class,
          RouterSettings.class,
          DynamicWeightsSettings.class,
          WorkerSettings.class,
          TopicsConfig.class,
          ObservabilityConfig.class,
          DeploymentConfig.class,
          BackoffConfig.class,
          RetryPolicyConfig.class);

  /**
   * Sections whose record also sits elsewhere: there, the schema must say the same about each key
   * (the declared section on the right, the other place on the left).
   */
  static final Map<String, String> SHARED_SECTIONS =
      Map.of("model_list[].retry_policy", "router_settings.retry_policy");

  static final JsonNode SCHEMA = load();

  @TestFactory
  Stream<DynamicTest> everyDeclaredKeyAgreesWithTheSchema() {
    return declared().values().stream()
        .map(
            key ->
                DynamicTest.dynamicTest(
                    key.path(),
                    () ->
                        assertThat(disagreements(key, SCHEMA))
                            .as("%s disagrees with config.schema.json", key.path())
                            .isEmpty()));
  }

  @TestFactory
  Stream<DynamicTest> aSharedSectionAgreesWithTheSchemaWhereverItSits() {
    return SHARED_SECTIONS.entrySet().stream()
        .flatMap(
            shared ->
                declared().values().stream()
                    .filter(key -> key.section().equals(shared.getValue()))
                    .map(
                        key ->
                            new ConfigKey<>(
                                shared.getKey(),
                                key.name(),
                                key.type(),
                                key.defaultValue(),
                                key.required(),
                                key.min(),
                                key.max(),
                                key.allowed(),
                                key.pattern(),
                                key.secret(),
                                key.doc())))
        .map(
            key ->
                DynamicTest.dynamicTest(
                    key.path(),
                    () ->
                        assertThat(disagreements(key, SCHEMA))
                            .as("%s disagrees with config.schema.json", key.path())
                            .isEmpty()));
  }

  @Test
  void everySchemaPropertyIsADeclaredKey() {
    List<String> undeclared = new ArrayList<>();
    walk(
        SCHEMA,
        SCHEMA,
        "",
        path -> {
          if (!declared().containsKey(declaredPath(path))) {
            undeclared.add(path);
          }
        });
    assertThat(undeclared).as("schema properties without a ConfigKey").isEmpty();
  }

  @Test
  void aKeyThatDisagreesIsNamedWithWhatDiffers() {
    ObjectNode changed = SCHEMA.deepCopy();
    ((ObjectNode) changed.at("/properties/router_settings/properties/allowed_fails"))
        .put("minimum", 0);
    ((ObjectNode) changed.at("/properties/router_settings/properties/allowed_fails"))
        .put("default", 5);
    assertThat(disagreements(RouterSettings.ALLOWED_FAILS, changed))
        .containsExactly("minimum: schema 0, declared 1", "default: schema 5, declared 3");
    ((ObjectNode) changed.at("/properties/topics/properties")).remove("dead_letter");
    assertThat(disagreements(TopicsConfig.DEAD_LETTER, changed))
        .containsExactly("not in the schema");
    ((ObjectNode) changed.at("/$defs/deployment/properties"))
        .putObject("colour")
        .put("type", "string");
    List<String> walked = new ArrayList<>();
    walk(changed, changed, "", walked::add);
    assertThat(walked)
        .contains(
            "model_list[].colour",
            "model_list[].backoff.max_ms",
            "router_settings.dynamic_weights.enabled");
  }

  @Test
  void everyRecordComponentOfASectionIsADeclaredKeyOfIt() {
    for (Class<?> section : SECTIONS) {
      List<String> components =
          Arrays.stream(section.getRecordComponents()).map(c -> keyOf(section, c).name()).toList();
      long keys = declared().values().stream().filter(k -> declaredIn(section, k)).count();
      assertThat(components)
          .as("keys of %s", section.getSimpleName())
          .hasSize((int) keys)
          .doesNotHaveDuplicates();
    }
  }

  /** The path a schema property is declared under: its own, or its shared section's. */
  static String declaredPath(String path) {
    for (Map.Entry<String, String> shared : SHARED_SECTIONS.entrySet()) {
      if (path.startsWith(shared.getKey() + ".")) {
        return shared.getValue() + path.substring(shared.getKey().length());
      }
    }
    return path;
  }

  /** The key a section declares for one of its record components. */
  static ConfigKey<?> keyOf(Class<?> section, RecordComponent component) {
    String name = component.getName().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
    return declared().values().stream()
        .filter(k -> declaredIn(section, k) && k.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    section.getSimpleName() + "." + component.getName() + " has no key"));
  }

  /** Every public {@link ConfigKey} constant of the sections, by path. */
  static Map<String, ConfigKey<?>> declared() {
    Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();
    for (Class<?> section : SECTIONS) {
      for (Field f : section.getDeclaredFields()) {
        int mods = f.getModifiers();
        if (f.getType() == ConfigKey.class && Modifier.isStatic(mods) && Modifier.isPublic(mods)) {
          try {
            ConfigKey<?> key = (ConfigKey<?>) f.get(null);
            assertThat(keys.put(key.path(), key)).as("%s declared twice", key.path()).isNull();
          } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
          }
        }
      }
    }
    return keys;
  }

  private static boolean declaredIn(Class<?> section, ConfigKey<?> key) {
    return Arrays.stream(section.getDeclaredFields())
        .anyMatch(
            f -> {
              try {
                return Modifier.isPublic(f.getModifiers())
                    && Modifier.isStatic(f.getModifiers())
                    && f.get(null) == key;
              } catch (IllegalAccessException e) {
                return false;
              }
            });
  }

  /**
   * What the schema says differently from {@code key}, one line per difference; empty when they
   * agree.
   */
  static List<String> disagreements(ConfigKey<?> key, JsonNode schema) {
    JsonNode parent = section(schema, key.section());
    JsonNode property = parent == null ? null : parent.path("properties").get(key.name());
    if (property == null) {
      return List.of("not in the schema");
    }
    JsonNode p = resolve(schema, property);
    List<String> out = new ArrayList<>();
    compare(out, "type", p.get("type"), key.type().jsonName());
    String[] bounds =
        switch (key.type()) {
          case STRING -> new String[] {"minLength", "maxLength"};
          case ARRAY -> new String[] {"minItems", "maxItems"};
          default -> new String[] {"minimum", "maximum"};
        };
    compare(out, bounds[0], p.get(bounds[0]), key.min());
    compare(out, bounds[1], p.get(bounds[1]), key.max());
    boolean scalar = key.type() != ConfigKey.Type.OBJECT && key.type() != ConfigKey.Type.ARRAY;
    compare(out, "default", p.get("default"), scalar ? key.defaultValue() : null);
    compare(out, "enum", p.get("enum"), key.allowed().isEmpty() ? null : key.allowed());
    compare(
        out, "pattern", p.get("pattern"), key.pattern() == null ? null : key.pattern().pattern());
    boolean required = false;
    for (JsonNode name : parent.path("required")) {
      required |= name.asText().equals(key.name());
    }
    if (required != key.required()) {
      out.add("required: schema " + required + ", declared " + key.required());
    }
    compare(out, "description", p.get("description"), key.doc());
    return out;
  }

  private static void compare(List<String> out, String what, JsonNode inSchema, Object declared) {
    JsonNode expected = declared == null ? null : Json.tree(declared);
    boolean same =
        inSchema == null || expected == null
            ? inSchema == expected
            : inSchema.isNumber() && expected.isNumber()
                ? new BigDecimal(inSchema.asText()).compareTo(new BigDecimal(expected.asText()))
                    == 0
                : inSchema.equals(expected);
    if (!same) {
      out.add(
          what
              + ": schema "
              + (inSchema == null ? "absent" : inSchema)
              + ", declared "
              + (expected == null ? "absent" : expected));
    }
  }

  /** The schema of the mapping at a section path ({@code model_list[].backoff}), or null. */
  private static JsonNode section(JsonNode schema, String section) {
    JsonNode node = schema;
    for (String segment : section.isEmpty() ? new String[0] : section.split("\\.")) {
      boolean list = segment.endsWith("[]");
      JsonNode child =
          node.path("properties").get(list ? segment.substring(0, segment.length() - 2) : segment);
      if (child == null) {
        return null;
      }
      node = resolve(schema, child);
      if (list) {
        node = resolve(schema, node.path("items"));
      }
    }
    return node;
  }

  /** Calls {@code visit} with the path of every property of the schema, in declared-key form. */
  private static void walk(
      JsonNode schema, JsonNode node, String section, java.util.function.Consumer<String> visit) {
    node.path("properties")
        .fields()
        .forEachRemaining(
            e -> {
              String path = section.isEmpty() ? e.getKey() : section + "." + e.getKey();
              visit.accept(path);
              JsonNode p = resolve(schema, e.getValue());
              if (p.has("properties")) {
                walk(schema, p, path, visit);
              } else if (p.has("items") && resolve(schema, p.get("items")).has("properties")) {
                walk(schema, resolve(schema, p.get("items")), path + "[]", visit);
              }
            });
  }

  /** A property with its local {@code $ref} followed; keywords beside the {@code $ref} win. */
  private static JsonNode resolve(JsonNode schema, JsonNode node) {
    String ref = node.path("$ref").asText("");
    if (!ref.startsWith("#/")) {
      return node;
    }
    ObjectNode merged = resolve(schema, schema.at(ref.substring(1))).deepCopy();
    node.fields()
        .forEachRemaining(
            e -> {
              if (!e.getKey().equals("$ref")) {
                merged.set(e.getKey(), e.getValue());
              }
            });
    return merged;
  }

  private static JsonNode load() {
    try (InputStream in =
        ConfigSchemaAgreementTest.class.getResourceAsStream("/schemas/config.schema.json")) {
      return Json.mapper().readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
