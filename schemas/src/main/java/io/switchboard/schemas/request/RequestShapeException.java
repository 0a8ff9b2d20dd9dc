package io.switchboard.schemas.request;

/**
 * A request in another gateway's shape that cannot be put into the native envelope exactly. It
 * names the offending field as a JSON pointer and never quotes a credential.
 */
public final class RequestShapeException extends Exception {
  private final String field;
  private final String reason;

  RequestShapeException(String field, String reason) {
    super(field + ": " + reason, null, false, false);
    this.field = field;
    this.reason = reason;
  }

  /**
   * The JSON pointer of the offending field in the request envelope, e.g. {@code
   * /orq/retries/on_codes}.
   */
  public String field() {
    return field;
  }

  /** What is wrong there and what to do, without the field. */
  public String reason() {
    return reason;
  }
}
