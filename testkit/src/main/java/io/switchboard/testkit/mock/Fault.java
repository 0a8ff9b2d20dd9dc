package io.switchboard.testkit.mock;

/** A way for a deployment to misbehave on every call, whatever the request. */
public enum Fault {
  /** No fault: the other settings of the {@link Behavior} decide the answer. */
  NONE,
  /**
   * Read the request and never answer; the connection stays open until the client gives up (or the
   * server's idle timeout, {@link MockProviderOptions#idleTimeout()}, closes it).
   */
  HANG,
  /** Read the request and close the connection abruptly (TCP reset), without a response. */
  RESET,
  /** Answer 200 with a body that is not JSON, as a misconfigured proxy would. */
  GARBAGE,
  /** Always answer {@link Behavior#faultStatus()} with the provider's error body for it. */
  STATUS
}
