package io.switchboard.client;

import java.util.List;

/**
 * What {@link SwitchboardClient#submitAll} did.
 *
 * @param submitted requests sent
 * @param answered requests whose reply was handed to the reply handler
 * @param failures requests without a handled reply: timed out, not sent, or the handler threw
 */
public record SubmitAllResult(long submitted, long answered, List<Failure> failures) {
  public SubmitAllResult {
    failures = List.copyOf(failures);
  }

  /**
   * One request without a handled reply.
   *
   * @param requestId the request id
   * @param error why: a {@link java.util.concurrent.TimeoutException}, a send failure, or the
   *     handler's exception
   */
  public record Failure(String requestId, Throwable error) {}
}
