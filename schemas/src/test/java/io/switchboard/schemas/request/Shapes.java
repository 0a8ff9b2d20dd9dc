package io.switchboard.schemas.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.json.SchemaName;
import io.switchboard.schemas.json.Schemas;

/** Envelopes written with single quotes, and what {@link RequestShapes} makes of them. */
final class Shapes {
  static final String BODY = "'body':{'messages':[{'role':'user','content':'hi'}]}";

  private Shapes() {}

  /**
   * {@code fields} (single-quoted JSON members, without braces) in an envelope with an id and a
   * body.
   */
  static ObjectNode envelope(String fields) {
    return (ObjectNode) Json.parse(("{'id':'r1'," + fields + "," + BODY + "}").replace('\'', '"'));
  }

  /**
   * The native form of the envelope of {@code fields}; asserts it is schema-valid and the input
   * unchanged.
   */
  static ObjectNode toNative(String fields) throws RequestShapeException {
    ObjectNode in = envelope(fields);
    ObjectNode before = in.deepCopy();
    ObjectNode out = RequestShapes.toNative(in);
    assertThat(in).as("input unchanged").isEqualTo(before);
    assertThat(Schemas.validate(SchemaName.ROUTE_REQUEST, out))
        .as("valid native envelope")
        .isEmpty();
    return out;
  }

  /**
   * Asserts that the native form of {@code fields} is exactly {@code expected} (also single-quoted
   * members).
   */
  static void assertNative(String fields, String expected) throws RequestShapeException {
    assertThat(toNative(fields)).isEqualTo(envelope(expected));
  }

  /** The refusal of the envelope of {@code fields}. */
  static RequestShapeException refused(String fields) {
    RequestShapeException e =
        catchThrowableOfType(
            () -> RequestShapes.toNative(envelope(fields)), RequestShapeException.class);
    assertThat(e).as("refused: " + fields).isNotNull();
    assertThat(e.getMessage()).isEqualTo(e.field() + ": " + e.reason());
    return e;
  }
}
