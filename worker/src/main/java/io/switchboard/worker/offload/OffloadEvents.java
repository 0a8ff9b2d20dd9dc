package io.switchboard.worker.offload;

import io.switchboard.schemas.config.DeploymentConfig;

/**
 * What happens to provider batch jobs, told to whoever counts it (the worker's meters). Called on
 * the offload thread; implementations must be thread-safe.
 */
public interface OffloadEvents {
  /** Told nothing. */
  OffloadEvents NONE =
      new OffloadEvents() {
        @Override
        public void submitted(DeploymentConfig d, int requests) {}

        @Override
        public void ended(DeploymentConfig d, boolean completed) {}
      };

  /** A job of {@code requests} requests was submitted to the provider (not one found again). */
  void submitted(DeploymentConfig d, int requests);

  /**
   * A job's requests were all answered or sent back: {@code completed} when the provider's job
   * completed, false when it failed, expired or was cancelled.
   */
  void ended(DeploymentConfig d, boolean completed);
}
