package io.switchboard.sandbox.bench;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectReader;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.json.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The fields of a reply that the bench measures. The reader shares the cores with what it measures,
 * so {@link #DESERIALIZER} reads a reply's JSON in one pass and keeps only these, skipping the
 * response and every other field without building them; values are read through the shared {@link
 * Json} mapping.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record ReplyView(
    String id,
    ReplyStatus status,
    String deploymentId,
    Long providerLatencyMs,
    Long latencyMs,
    Instant createdAt,
    List<AttemptView> attempts,
    Map<String, String> metadata) {

  /** The times of one provider call, from a reply's attempts. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record AttemptView(long latencyMs, Instant at) {}

  private static final ObjectReader STATUS = Json.mapper().readerFor(ReplyStatus.class);
  private static final ObjectReader INSTANT = Json.mapper().readerFor(Instant.class);

  /** Reads a reply record's value. */
  static final Deserializer<ReplyView> DESERIALIZER =
      (topic, data) -> {
        if (data == null) {
          return null;
        }
        try (JsonParser p = Json.mapper().getFactory().createParser(data)) {
          if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new IOException("a reply is a JSON object");
          }
          return read(p);
        } catch (IOException e) {
          throw new SerializationException(
              "record on topic '" + topic + "' is not a reply: " + e.getMessage(), e);
        }
      };

  private static ReplyView read(JsonParser p) throws IOException {
    String id = null;
    ReplyStatus status = null;
    String deploymentId = null;
    Long providerLatencyMs = null;
    Long latencyMs = null;
    Instant createdAt = null;
    List<AttemptView> attempts = null;
    Map<String, String> metadata = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (value == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field) {
        case "id" -> id = p.getText();
        case "status" -> status = STATUS.readValue(p);
        case "deployment_id" -> deploymentId = p.getText();
        case "provider_latency_ms" -> providerLatencyMs = p.getLongValue();
        case "latency_ms" -> latencyMs = p.getLongValue();
        case "created_at" -> createdAt = INSTANT.readValue(p);
        case "attempts" -> attempts = attempts(p);
        case "metadata" -> metadata = metadata(p);
        default -> p.skipChildren();
      }
    }
    return new ReplyView(
        id, status, deploymentId, providerLatencyMs, latencyMs, createdAt, attempts, metadata);
  }

  private static List<AttemptView> attempts(JsonParser p) throws IOException {
    List<AttemptView> out = new ArrayList<>(2);
    while (p.nextToken() == JsonToken.START_OBJECT) {
      long latencyMs = 0;
      Instant at = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("latency_ms") && value != JsonToken.VALUE_NULL) {
          latencyMs = p.getLongValue();
        } else if (field.equals("at") && value != JsonToken.VALUE_NULL) {
          at = INSTANT.readValue(p);
        } else {
          p.skipChildren();
        }
      }
      out.add(new AttemptView(latencyMs, at));
    }
    return out;
  }

  private static Map<String, String> metadata(JsonParser p) throws IOException {
    Map<String, String> out = new HashMap<>(4);
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      out.put(key, p.nextTextValue());
    }
    return out;
  }
}
