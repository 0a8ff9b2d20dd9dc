package io.switchboard.worker.provider;

import java.util.Objects;

/**
 * Why a call got no HTTP response (or a response that could not be read).
 *
 * @param kind the kind of failure, which the outcome classifier switches on
 * @param message a short description; already redacted, safe to log and publish
 */
public record TransportFailure(Kind kind, String message) {

  /** The kinds of transport failure. */
  public enum Kind {
    /** The attempt's time limit passed before a full response arrived. */
    TIMEOUT,
    /** The connection could not be opened (refused, unknown host, TLS handshake). */
    CONNECT,
    /** The connection broke while the request or response was in transit. */
    CONNECTION_RESET,
    /** The call was cancelled, e.g. because the worker is shutting down. */
    CANCELLED,
    /** The deployment cannot be called as configured, e.g. its API key variable is not set. */
    NOT_CONFIGURED,
    /** Any other I/O or protocol error. */
    IO
  }

  public TransportFailure {
    Objects.requireNonNull(kind, "kind");
    message = message == null ? kind.name().toLowerCase(java.util.Locale.ROOT) : message;
  }
}
