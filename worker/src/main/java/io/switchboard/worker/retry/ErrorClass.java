package io.switchboard.worker.retry;

import io.switchboard.schemas.config.RetryPolicyConfig;

/**
 * The error classes of {@code retry_policy} (LiteLLM's {@code RetryPolicy} classes): what kind of
 * failure a provider call ended in, as {@link OutcomeClassifier#errorClass} tells them.
 */
public enum ErrorClass {
  /** 429. */
  RATE_LIMIT,
  /** 408, or no full response within the call's timeout. */
  TIMEOUT,
  /** 5xx. */
  SERVER_ERROR,
  /** The connection was refused, reset or broke, or another I/O error. */
  CONNECTION_ERROR,
  /** 401 or 403. */
  AUTHENTICATION,
  /** 400, 404 or 422 that is neither a context-window error nor a content-filter refusal. */
  BAD_REQUEST,
  /** A content-filter refusal (see {@link OutcomeClassifier#isContentPolicyRefusal}). */
  CONTENT_POLICY;

  /** The retries {@code policy} sets for this class, or null when it leaves the class unset. */
  public Integer retries(RetryPolicyConfig policy) {
    return switch (this) {
      case RATE_LIMIT -> policy.rateLimit();
      case TIMEOUT -> policy.timeout();
      case SERVER_ERROR -> policy.serverError();
      case CONNECTION_ERROR -> policy.connectionError();
      case AUTHENTICATION -> policy.authentication();
      case BAD_REQUEST -> policy.badRequest();
      case CONTENT_POLICY -> policy.contentPolicy();
    };
  }
}
