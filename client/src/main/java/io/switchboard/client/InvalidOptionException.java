package io.switchboard.client;

/**
 * An option of the client, a batch or a single request that cannot be used. The message names the
 * field and the bad value ({@code maxInFlight must be at least 1, was 0}); {@link #field()} names
 * the field for callers that phrase their own message (a command line naming its flag).
 */
public final class InvalidOptionException extends IllegalArgumentException {
  private final String field;

  /**
   * @param field the option's field name, as in the options record
   * @param message what is wrong, naming the field and the value
   */
  public InvalidOptionException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The option's field name, as in the options record ({@code maxInFlight}). */
  public String field() {
    return field;
  }
}
