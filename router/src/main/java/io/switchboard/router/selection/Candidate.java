package io.switchboard.router.selection;

import io.switchboard.schemas.config.DeploymentConfig;
import java.util.Objects;

/**
 * One deployment a request may go to, with its relative weight in its candidate set.
 *
 * @param deployment the deployment
 * @param weight relative weight, finite and {@code >= 0}; 0 means no new traffic
 */
public record Candidate(DeploymentConfig deployment, double weight) {
  public Candidate {
    Objects.requireNonNull(deployment, "deployment");
    if (!(weight >= 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException(
          "weight of '" + deployment.deploymentId() + "' must be finite and >= 0, was " + weight);
    }
  }

  public String deploymentId() {
    return deployment.deploymentId();
  }
}
