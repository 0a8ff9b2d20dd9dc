package io.switchboard.schemas.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Validates documents against the shipped JSON Schemas (draft 2020-12). Thread-safe. */
public final class Schemas {
  /** The {@code $id} prefix of every shipped schema. */
  public static final String ID_PREFIX = "https://switchboard.io/schemas/";

  private static final Map<SchemaName, JsonSchema> LOADED = load();

  private Schemas() {}

  private static Map<SchemaName, JsonSchema> load() {
    // Schemas refer to each other by $id; those ids resolve to the copies on the class path.
    JsonSchemaFactory factory =
        JsonSchemaFactory.getInstance(
            SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaMappers(m -> m.mapPrefix(ID_PREFIX, "classpath:schemas/")));
    SchemaValidatorsConfig config =
        SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    Map<SchemaName, JsonSchema> schemas = new EnumMap<>(SchemaName.class);
    for (SchemaName name : SchemaName.values()) {
      JsonSchema schema =
          factory.getSchema(SchemaLocation.of(ID_PREFIX + name.file() + ".schema.json"), config);
      schema.initializeValidators();
      schemas.put(name, schema);
    }
    return schemas;
  }

  /** Every way {@code document} breaks the schema, ordered by path; empty when it is valid. */
  public static List<Violation> validate(SchemaName schema, JsonNode document) {
    return LOADED.get(schema).validate(document).stream()
        .map(Schemas::violation)
        .distinct()
        .sorted(Comparator.comparing(Violation::path).thenComparing(Violation::message))
        .toList();
  }

  private static Violation violation(ValidationMessage m) {
    String pointer = m.getInstanceLocation() == null ? "" : m.getInstanceLocation().toString();
    // networknt renders locations as "$.a.b[0]"; report JSON pointers ("/a/b/0").
    String path = pointer.startsWith("$") ? toPointer(pointer) : pointer;
    String property = m.getProperty();
    if (property != null
        && ("required".equals(m.getType()) || "additionalProperties".equals(m.getType()))) {
      path = path + "/" + property;
    }
    String message = m.getMessage();
    int colon = message.indexOf(": ");
    // networknt starts each message with the location ("$.a.b: " or "/a/b: "); the path says it
    // already.
    if ((message.startsWith("$") || message.startsWith("/")) && colon > 0) {
      message = message.substring(colon + 2);
    }
    return new Violation(path, message);
  }

  static String toPointer(String jsonPath) {
    StringBuilder out = new StringBuilder();
    String rest = jsonPath.substring(1);
    int i = 0;
    while (i < rest.length()) {
      char c = rest.charAt(i);
      if (c == '.') {
        int end = i + 1;
        while (end < rest.length() && rest.charAt(end) != '.' && rest.charAt(end) != '[') {
          end++;
        }
        out.append('/').append(rest, i + 1, end);
        i = end;
      } else if (c == '[') {
        int end = rest.indexOf(']', i);
        String inner = rest.substring(i + 1, end);
        if (inner.startsWith("'") && inner.endsWith("'")) {
          inner = inner.substring(1, inner.length() - 1);
        }
        out.append('/').append(inner);
        i = end + 1;
      } else {
        i++;
      }
    }
    return out.toString();
  }
}
