package io.switchboard.worker.retry;

import io.switchboard.schemas.Outcome;
import java.time.Duration;
import java.util.Objects;

/**
 * What to do after one provider call.
 *
 * @param outcome {@link Outcome#RETRY} to call the same deployment again after {@code delay};
 *     otherwise the call's final outcome for this deployment
 * @param delay the wait before the retry; zero for any other outcome
 * @param reason why a retryable failure is not retried (retries used up, server delay too long,
 *     deadline), for the attempt history; null otherwise
 */
public record RetryDecision(Outcome outcome, Duration delay, String reason) {

  public RetryDecision {
    Objects.requireNonNull(outcome, "outcome");
    delay = delay == null ? Duration.ZERO : delay;
    if (outcome != Outcome.RETRY && !delay.isZero()) {
      throw new IllegalArgumentException("only a retry has a delay, " + outcome + " had " + delay);
    }
  }

  static RetryDecision finalOutcome(Outcome outcome, String reason) {
    return new RetryDecision(outcome, Duration.ZERO, reason);
  }
}
