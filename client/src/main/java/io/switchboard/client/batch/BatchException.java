package io.switchboard.client.batch;

/** A batch cannot start: bad input, output or options. The message says what and where. */
public final class BatchException extends RuntimeException {
  public BatchException(String message) {
    super(message);
  }
}
