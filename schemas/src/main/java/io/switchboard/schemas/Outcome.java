package io.switchboard.schemas;

/** How one provider call ended, as decided by the worker's outcome classifier. */
public enum Outcome {
  /** The provider answered with a completion. */
  SUCCESS,
  /** A transient failure (408, 409, 429, 5xx, timeout, connection error): try again here. */
  RETRY,
  /** This deployment is exhausted or unusable: hand the request to the fallback chain. */
  FALLBACK,
  /** The prompt does not fit the model's context window: follow the context-window chain. */
  CONTEXT_WINDOW,
  /**
   * The deployment's content filter refused the request and a content-policy chain is left: follow
   * it.
   */
  CONTENT_POLICY,
  /** A permanent failure of the request itself (other 4xx): answer with an error. */
  FAIL
}
