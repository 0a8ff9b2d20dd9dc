package io.switchboard.worker.retry;

import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.config.BackoffConfig;
import io.switchboard.worker.provider.ProviderResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Decides whether and when to retry a call on the same deployment: the classifier's outcome, then
 * the delay from {@link Backoff} and {@link ServerDelay}, then two limits.
 *
 * <ul>
 *   <li>A server delay longer than the deployment's {@code backoff.max_ms} is not waited for: the
 *       deployment is saturated, so the request goes to its fallbacks at once ({@link
 *       Outcome#FALLBACK}).
 *   <li>A retry that would start at or after the request's deadline is not scheduled: the request
 *       goes to its fallbacks at once ({@link Outcome#FALLBACK}, no backoff wait), where another
 *       deployment may still answer in time. Whoever next handles it answers {@code expired} if the
 *       deadline has passed by then, or with the exhausted-chain error when no fallback is left.
 * </ul>
 */
public final class RetryPolicy {
  private final Clock clock;
  private final RandomGenerator random;

  public RetryPolicy(Clock clock, RandomGenerator random) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * {@link #decide(ProviderResponse, int, RetryBudget, boolean, BackoffConfig, Instant)} with the
   * default statuses, no retry policy and no content-policy chain.
   */
  public RetryDecision decide(
      ProviderResponse response,
      int attempt,
      int maxRetries,
      BackoffConfig backoff,
      Instant deadline) {
    return decide(response, attempt, RetryBudget.defaults(maxRetries), false, backoff, deadline);
  }

  /**
   * Decides after a call.
   *
   * @param response what the call produced
   * @param attempt 0 for the first call to this deployment, 1 for the first retry, ...
   * @param budget the deployment's retries
   * @param contentPolicyChain whether the request has a content-policy chain left
   * @param backoff the deployment's backoff
   * @param deadline the request's deadline, or null
   */
  public RetryDecision decide(
      ProviderResponse response,
      int attempt,
      RetryBudget budget,
      boolean contentPolicyChain,
      BackoffConfig backoff,
      Instant deadline) {
    Outcome outcome = OutcomeClassifier.classify(response, attempt, budget, contentPolicyChain);
    if (outcome != Outcome.RETRY) {
      String reason =
          outcome == Outcome.FALLBACK && OutcomeClassifier.fault(response) == Fault.TRANSIENT
              ? "retries used up (" + budget.retriesFor(response) + ")"
              : null;
      return RetryDecision.finalOutcome(outcome, reason);
    }
    Instant now = clock.instant();
    Optional<Duration> server = ServerDelay.of(response, now);
    if (server.isPresent() && server.get().toMillis() > backoff.maxMs()) {
      return RetryDecision.finalOutcome(
          Outcome.FALLBACK,
          "provider asked to wait "
              + server.get().toMillis()
              + " ms, more than backoff max_ms "
              + backoff.maxMs());
    }
    Duration delay = new Backoff(backoff, random).delay(attempt, server.orElse(null));
    if (deadline != null && !now.plus(delay).isBefore(deadline)) {
      return RetryDecision.finalOutcome(
          Outcome.FALLBACK,
          "the retry in "
              + delay.toMillis()
              + " ms would start after the request's deadline "
              + deadline);
    }
    return new RetryDecision(Outcome.RETRY, delay, null);
  }
}
