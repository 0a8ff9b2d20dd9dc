package io.switchboard.schemas.json;

/** A record that is not JSON the system accepts; the message says what is wrong and where. */
public final class JsonInputException extends Exception {
  /** What is wrong with the record. */
  public enum Problem {
    /** A byte sequence that is not UTF-8 (overlong forms and encoded surrogates included). */
    INVALID_UTF8,
    /** A NUL byte: never part of JSON text, and the mark of UTF-16 or binary data. */
    NUL_BYTE,
    /** Not JSON syntax. */
    SYNTAX,
    /** More after the one JSON value. */
    TRAILING_CONTENT,
    /** Arrays and objects nested deeper than {@link JsonLimits#maxDepth()}. */
    TOO_DEEP,
    /** A number literal of more digits than {@link JsonLimits#maxNumberLength()}. */
    NUMBER_TOO_LONG,
    /** A number beyond the range of a 64-bit floating point number, such as {@code 1e400}. */
    NUMBER_OUT_OF_RANGE,
    /** A field name longer than {@link JsonLimits#maxNameLength()}. */
    NAME_TOO_LONG,
    /** A string longer than {@link JsonLimits#maxStringLength()}. */
    STRING_TOO_LONG,
    /** The same field twice in one object: which one counts would be the reader's guess. */
    DUPLICATE_FIELD
  }

  private final Problem problem;

  public JsonInputException(Problem problem, String message) {
    super(message, null, false, false);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
