package io.switchboard.router.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.schemas.json.JsonInput;
import java.io.IOException;

/**
 * The id a reply is addressed by: which ids can be one, and the best-effort read of the id of a
 * record too broken (or too large) to be read whole.
 */
final class RequestIds {
  /**
   * The schema's {@code maxLength} for {@code id} (route-request.schema.json): an id is a reply's
   * key.
   */
  static final int MAX_LENGTH = 256;

  /**
   * How deep the scan follows nesting on its way to the id: far beyond the reader's limit, so that
   * an id after a too-deep value is still found, yet bounded, as each level costs the parser
   * memory.
   */
  static final int SCAN_DEPTH = 1000;

  /** Limits only where needed: the scan looks past what the strict reader refuses. */
  private static final JsonFactory LENIENT =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(SCAN_DEPTH)
                  .maxNumberLength(Integer.MAX_VALUE)
                  .maxNameLength(Integer.MAX_VALUE)
                  .maxStringLength(Integer.MAX_VALUE)
                  .build())
          .build();

  private RequestIds() {}

  /**
   * Why {@code id} (the value of the top-level {@code id} field, null when absent) cannot address a
   * reply, or null.
   */
  static String problem(JsonNode id) {
    if (id == null) {
      return "id is missing";
    } else if (!id.isTextual() || id.asText().isBlank()) {
      return "id must be a non-empty string";
    } else if (tooLong(id.asText())) {
      return "id is longer than " + MAX_LENGTH + " characters";
    }
    return null;
  }

  /**
   * The top-level {@code id} of a record that could not be read whole, when the record is readable
   * up to it: UTF-8 without NUL bytes and JSON (nested at most {@link #SCAN_DEPTH} deep) up to and
   * including the id. Whatever comes after it may be broken.
   *
   * @return the id, or null when there is none, it cannot address a reply, or it is given twice
   *     with different values (a reply to either would be a guess)
   */
  static String scan(byte[] value) {
    String found = null;
    try (JsonParser parser = LENIENT.createParser(JsonInput.readablePrefix(value))) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        if (!"id".equals(name)) {
          parser.skipChildren();
          continue;
        }
        String id = token == JsonToken.VALUE_STRING ? parser.getText() : null;
        if (id == null || id.isBlank() || tooLong(id) || (found != null && !found.equals(id))) {
          return null;
        }
        found = id;
      }
    } catch (IOException brokenFromHere) {
      // What came before the break stands.
    }
    return found;
  }

  private static boolean tooLong(String id) {
    return id.length() > MAX_LENGTH && id.codePointCount(0, id.length()) > MAX_LENGTH;
  }
}
