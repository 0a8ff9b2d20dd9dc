package io.switchboard.client.batch;

/** How a batch run ended, from the best to the least finished. */
public enum BatchStatus {
  /** Every line answered ok. */
  OK,
  /** Every line answered, some with an error or expired reply, or skipped as invalid. */
  FAILURES,
  /** Some lines are invalid and nothing was sent (see {@link BatchOptions#skipInvalid()}). */
  INVALID_INPUT,
  /**
   * Some lines got no reply within the request timeout: running the same batch again resumes it.
   */
  INCOMPLETE
}
