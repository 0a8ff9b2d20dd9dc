package io.switchboard.schemas;

import java.util.Objects;

/**
 * What went wrong, for a reply whose status is {@code error} or {@code expired}.
 *
 * @param code the machine-readable reason
 * @param message a human-readable sentence naming what was wrong and where
 * @param field the JSON pointer of the offending request field, when one is to blame
 */
public record ReplyError(ErrorCode code, String message, String field) {
  public ReplyError {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }

  public static ReplyError of(ErrorCode code, String message) {
    return new ReplyError(code, message, null);
  }
}
