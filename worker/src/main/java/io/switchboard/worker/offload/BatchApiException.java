package io.switchboard.worker.offload;

/**
 * A batch API call that failed: the provider's status (or none when no answer came) and a redacted
 * message naming the deployment and the call. {@link #retriable()} says whether the same call may
 * succeed later (a connection failure, 408, 429, 5xx).
 */
public final class BatchApiException extends Exception {
  private final Integer status;

  public BatchApiException(String message, Integer status) {
    super(message, null, false, false);
    this.status = status;
  }

  /** The HTTP status, or null when no answer came. */
  public Integer status() {
    return status;
  }

  /** Whether trying the same call again later may succeed. */
  public boolean retriable() {
    return status == null || status == 408 || status == 429 || status >= 500;
  }
}
