package io.switchboard.schemas;

import com.fasterxml.jackson.annotation.JsonValue;

/** The final state of a request, carried by its one reply. */
public enum ReplyStatus {
  OK,
  ERROR,
  EXPIRED;

  @JsonValue
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
