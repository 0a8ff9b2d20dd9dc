package io.switchboard.worker.retry;

/** Whose fault a provider call's failure is, as the cooldown tracker counts it. */
public enum Fault {
  /**
   * Not the deployment's failure: a completion, or a problem of the request itself (4xx, context
   * window).
   */
  NONE,
  /**
   * A transient failure of the deployment (408, 409, 429, 5xx, timeout, connection error,
   * unreadable 2xx): counted towards {@code allowed_fails}.
   */
  TRANSIENT,
  /**
   * The deployment is unusable as configured (401, 403, 404, missing key, redirect): cools it down
   * at once.
   */
  UNUSABLE
}
