package io.switchboard.client.batch.internal;

/** An input line that cannot be sent; the message says what is wrong, without the line number. */
public final class InvalidLineException extends Exception {
  public InvalidLineException(String message) {
    super(message, null, false, false);
  }
}
