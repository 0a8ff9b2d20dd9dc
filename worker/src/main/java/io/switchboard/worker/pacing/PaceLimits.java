package io.switchboard.worker.pacing;

import io.switchboard.schemas.config.DeploymentConfig;

/**
 * The rpm and tpm a deployment is paced at now, of which each lane paces at its share: the
 * configured ones, or lower ones learned from the provider; and whether its requests are spaced
 * evenly. Thread-safe implementations; read on every permit.
 */
public interface PaceLimits {
  /** The configured {@code rpm} and {@code tpm}, nothing learned. */
  PaceLimits CONFIGURED =
      new PaceLimits() {
        @Override
        public Integer rpm(DeploymentConfig deployment) {
          return deployment.rpm();
        }

        @Override
        public Integer tpm(DeploymentConfig deployment) {
          return deployment.tpm();
        }
      };

  /** Requests per minute for the whole deployment, at most its {@code rpm}; null when unlimited. */
  Integer rpm(DeploymentConfig deployment);

  /** Tokens per minute for the whole deployment, at most its {@code tpm}; null when unlimited. */
  Integer tpm(DeploymentConfig deployment);

  /**
   * Whether the lanes space the deployment's requests evenly rather than letting each spend its
   * minute at once: while its request rate is learned below the configured {@code rpm} (see {@link
   * LanePacer}). None are by default.
   */
  default boolean evenly(DeploymentConfig deployment) {
    return false;
  }
}
