package io.switchboard.schemas;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Why a request was answered with an error. The wire form is the lower-case name. */
public enum ErrorCode {
  /** The record is not JSON, or not a JSON object. */
  MALFORMED_JSON,
  /** The request does not match its JSON Schema; {@code field} names where. */
  INVALID_REQUEST,
  /** The record is larger than {@code router_settings.max_request_bytes}. */
  REQUEST_TOO_LARGE,
  /** A model, alias, deployment or group named by the request is not configured. */
  UNKNOWN_MODEL,
  /** {@code reply_to} is not on the {@code reply_topics} allowlist. */
  FORBIDDEN_REPLY_TO,
  /** The request's deadline passed before it could be answered. */
  DEADLINE_EXCEEDED,
  /** The prompt does not fit any candidate's context window and no chain is left. */
  CONTEXT_WINDOW_EXCEEDED,
  /** The provider rejected the request (a non-retryable 4xx). */
  PROVIDER_ERROR,
  /** Every deployment of the request's chain failed or was exhausted. */
  FALLBACKS_EXHAUSTED,
  /** An unexpected internal failure; the record is on the dead-letter topic. */
  INTERNAL_ERROR;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
