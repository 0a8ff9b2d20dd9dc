package io.switchboard.worker.retry;

import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.RetryPolicyConfig;
import io.switchboard.schemas.config.RouterSettings;
import io.switchboard.worker.provider.ProviderResponse;
import java.util.List;
import java.util.Objects;

/**
 * How many times a worker may call one deployment again for one request, by the failure it got.
 *
 * <ol>
 *   <li>A context-window error gets none: it goes to the context-window chain.
 *   <li>A failure whose {@link ErrorClass} the {@code retry_policy} sets gets that many retries.
 *   <li>A content-filter refusal it leaves unset gets none.
 *   <li>Otherwise an HTTP error status gets {@code max_retries} when {@code retry_on_status_codes}
 *       lists it (unset: 408, 409, 429 and every 5xx), else none; a failure without an error status
 *       (timeout, connection error, a 2xx that is not a completion) gets {@code max_retries} when
 *       it is transient ({@link OutcomeClassifier#fault}), else none.
 * </ol>
 *
 * The retries already made on the deployment count against whichever number the last failure
 * allows: after two 503s and a 429, a {@code rate_limit} of 2 allows no more.
 *
 * @param maxRetries the deployment's {@code max_retries}
 * @param retryOnStatusCodes the statuses retried, or null for the default ones
 * @param policy retries per error class
 */
public record RetryBudget(
    int maxRetries, List<Integer> retryOnStatusCodes, RetryPolicyConfig policy) {

  public RetryBudget {
    if (maxRetries < 0) {
      throw new IllegalArgumentException("max_retries must be >= 0, was " + maxRetries);
    }
    retryOnStatusCodes = retryOnStatusCodes == null ? null : List.copyOf(retryOnStatusCodes);
    Objects.requireNonNull(policy, "policy");
  }

  /**
   * The budget of one deployment: its {@code max_retries}; its {@code retry_on_status_codes}, else
   * the router's; its {@code retry_policy} class by class, else the router's.
   */
  public static RetryBudget of(DeploymentConfig deployment, RouterSettings settings) {
    List<Integer> codes =
        deployment.retryOnStatusCodes() != null
            ? deployment.retryOnStatusCodes()
            : settings.retryOnStatusCodes();
    RetryPolicyConfig policy =
        deployment.retryPolicy() == null
            ? settings.retryPolicy()
            : deployment.retryPolicy().orElse(settings.retryPolicy());
    return new RetryBudget(deployment.maxRetries(), codes, policy);
  }

  /** {@code maxRetries} with the default statuses and no retry policy. */
  public static RetryBudget defaults(int maxRetries) {
    return new RetryBudget(maxRetries, null, RetryPolicyConfig.NONE);
  }

  /** How many retries a failure like {@code response} allows on this deployment in all. */
  public int retriesFor(ProviderResponse response) {
    if (OutcomeClassifier.isContextWindowError(response)) {
      return 0;
    }
    ErrorClass errorClass = OutcomeClassifier.errorClass(response);
    Integer byClass = errorClass == null ? null : errorClass.retries(policy);
    if (byClass != null) {
      return byClass;
    }
    if (errorClass == ErrorClass.CONTENT_POLICY) {
      return 0;
    }
    Integer status = response.status();
    boolean errorStatus = status != null && status / 100 != 2;
    boolean retried =
        errorStatus && retryOnStatusCodes != null
            ? retryOnStatusCodes.contains(status)
            : OutcomeClassifier.fault(response) == Fault.TRANSIENT;
    return retried ? maxRetries : 0;
  }
}
