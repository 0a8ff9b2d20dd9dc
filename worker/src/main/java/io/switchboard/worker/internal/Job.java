package io.switchboard.worker.internal;

import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.worker.provider.ProviderCall;
import io.switchboard.worker.retry.RetryBudget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One dispatch being worked on: the record it came from, its deployment, and the attempts made so
 * far. Touched by one thread at a time (the poll thread, then the thread completing its call, then
 * the poll thread again), each hand-over going through the event queue or the retry timer. Which
 * lane holds it, and whether it is started there, is the lane's business ({@link Lane}).
 */
final class Job {
  private final long offset;
  private final Dispatch dispatch;
  private final DeploymentConfig deployment;
  private final RetryBudget retryBudget;

  /** Every attempt of the request: the earlier hops' and this deployment's. */
  private final List<AttemptEvent> attempts;

  /** The number of the next call to this deployment: 0 for the first, 1 for the first retry. */
  private int retry;

  Job(long offset, Dispatch dispatch, DeploymentConfig deployment, RetryBudget retryBudget) {
    this.offset = offset;
    this.dispatch = Objects.requireNonNull(dispatch, "dispatch");
    this.deployment = Objects.requireNonNull(deployment, "deployment");
    this.retryBudget = Objects.requireNonNull(retryBudget, "retryBudget");
    this.attempts = new ArrayList<>(dispatch.attempts());
  }

  long offset() {
    return offset;
  }

  Dispatch dispatch() {
    return dispatch;
  }

  DeploymentConfig deployment() {
    return deployment;
  }

  /** How often the deployment may be called again, by failure. */
  RetryBudget retryBudget() {
    return retryBudget;
  }

  /** Whether a content-filter refusal hands the request back for its content-policy chain. */
  boolean hasContentPolicyChain() {
    return !dispatch.contentPolicyFallbacksRemaining().isEmpty();
  }

  /** The number of the next call to this deployment: 0 for the first, 1 for the first retry. */
  int retry() {
    return retry;
  }

  /** Every attempt of the request so far, the earlier hops' included. */
  List<AttemptEvent> attempts() {
    return Collections.unmodifiableList(attempts);
  }

  /** Records a call to this deployment; with {@code retrying}, the next call is the next retry. */
  void attempted(AttemptEvent attempt, boolean retrying) {
    attempts.add(attempt);
    if (retrying) {
      retry++;
    }
  }

  Instant deadline() {
    return dispatch.request().deadline();
  }

  String id() {
    return dispatch.id();
  }

  /** The request's class: which of the lane's queues it waits in. */
  Priority priority() {
    return dispatch.request().priority();
  }

  /** The router's estimate of the tokens the call takes, never negative: what the pacer admits. */
  int estimatedTokens() {
    return Math.max(0, dispatch.estimatedTokens());
  }

  /** How long a call started {@code now} may take ({@link ProviderCall#timeout}). */
  Duration callTimeout(Instant now, long defaultMs) {
    return ProviderCall.timeout(deployment, defaultMs, dispatch.request(), now);
  }
}
