package io.switchboard.worker.retry;

import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.RouterSettings;

/** How many retries one deployment gets for one request. */
public final class RetryBudget {
  private RetryBudget() {}

  /**
   * The request's {@code num_retries} when set, else the deployment's {@code max_retries} when
   * set, else {@code router_settings.num_retries}.
   */
  public static int maxRetries(Integer requestNumRetries, DeploymentConfig deployment, RouterSettings settings) {
    int retries = requestNumRetries != null ? requestNumRetries
        : deployment.maxRetries() != null ? deployment.maxRetries()
        : settings.numRetries();
    if (retries < 0) {
      throw new IllegalArgumentException("retries for deployment '" + deployment.deploymentId()
          + "' must be >= 0, was " + retries);
    }
    return retries;
  }
}
