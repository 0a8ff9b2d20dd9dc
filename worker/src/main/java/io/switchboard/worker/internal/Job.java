package io.switchboard.worker.internal;

import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.config.DeploymentConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One dispatch being worked on: the record it came from, its deployment, and the attempts made
 * so far. Touched by one thread at a time (the poll thread, then the thread completing its call,
 * then the poll thread again), each hand-over going through a concurrent queue or the retry
 * timer.
 */
final class Job {
  final Lane lane;
  final long offset;
  final Dispatch dispatch;
  final DeploymentConfig deployment;
  final int maxRetries;
  /** Every attempt of the request: the earlier hops' and this deployment's. */
  final List<AttemptEvent> attempts;
  /** The number of the next call to this deployment: 0 for the first, 1 for the first retry. */
  int retry;
  /** Counted in {@link Lane#active}. */
  boolean started;

  Job(Lane lane, long offset, Dispatch dispatch, DeploymentConfig deployment, int maxRetries) {
    this.lane = lane;
    this.offset = offset;
    this.dispatch = dispatch;
    this.deployment = deployment;
    this.maxRetries = maxRetries;
    this.attempts = new ArrayList<>(dispatch.attempts());
  }

  Instant deadline() {
    return dispatch.request().deadline();
  }

  String id() {
    return dispatch.id();
  }
}
