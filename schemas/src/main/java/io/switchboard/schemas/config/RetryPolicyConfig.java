package io.switchboard.schemas.config;

/**
 * {@code retry_policy}, in {@code router_settings} (the default) and on a deployment (which
 * overrides the default class by class): how many times a worker calls the same deployment again
 * after a failure of each error class, in place of the deployment's {@code max_retries}. A class
 * left unset keeps the worker's own rule for it (transient failures: {@code max_retries}; the
 * others: no retry). The keys are LiteLLM's {@code RetryPolicy} classes. Each key is declared once
 * below, under {@code router_settings.retry_policy}; the deployment's {@code retry_policy} has the
 * same keys.
 *
 * @param rateLimit {@link #RATE_LIMIT}, null when unset
 * @param timeout {@link #TIMEOUT}, null when unset
 * @param serverError {@link #SERVER_ERROR}, null when unset
 * @param connectionError {@link #CONNECTION_ERROR}, null when unset
 * @param authentication {@link #AUTHENTICATION}, null when unset
 * @param badRequest {@link #BAD_REQUEST}, null when unset
 * @param contentPolicy {@link #CONTENT_POLICY}, null when unset
 */
public record RetryPolicyConfig(
    Integer rateLimit,
    Integer timeout,
    Integer serverError,
    Integer connectionError,
    Integer authentication,
    Integer badRequest,
    Integer contentPolicy) {

  private static final String SECTION = "router_settings.retry_policy";

  /** Where errors say the key is: the same record sits in router_settings and in model_list[]. */
  private static final String WHERE = "retry_policy";

  public static final ConfigKey<Integer> RATE_LIMIT =
      ConfigKey.<Integer>integer(
              SECTION, "rate_limit", null, "Retries after a 429; unset: max_retries.")
          .atLeast(0);
  public static final ConfigKey<Integer> TIMEOUT =
      ConfigKey.<Integer>integer(
              SECTION,
              "timeout",
              null,
              "Retries after a 408 or a call that timed out; unset: max_retries.")
          .atLeast(0);
  public static final ConfigKey<Integer> SERVER_ERROR =
      ConfigKey.<Integer>integer(
              SECTION, "server_error", null, "Retries after a 5xx; unset: max_retries.")
          .atLeast(0);
  public static final ConfigKey<Integer> CONNECTION_ERROR =
      ConfigKey.<Integer>integer(
              SECTION,
              "connection_error",
              null,
              "Retries after a refused, reset or broken connection; unset: max_retries.")
          .atLeast(0);
  public static final ConfigKey<Integer> AUTHENTICATION =
      ConfigKey.<Integer>integer(
              SECTION,
              "authentication",
              null,
              "Retries after a 401 or 403; unset: none (the deployment is handed back and cools down).")
          .atLeast(0);
  public static final ConfigKey<Integer> BAD_REQUEST =
      ConfigKey.<Integer>integer(
              SECTION,
              "bad_request",
              null,
              "Retries after a 400, 404 or 422 (context-window and content-policy errors aside); unset: none.")
          .atLeast(0);
  public static final ConfigKey<Integer> CONTENT_POLICY =
      ConfigKey.<Integer>integer(
              SECTION,
              "content_policy",
              null,
              "Retries after a content-filter refusal; unset: none.")
          .atLeast(0);

  /** No class set: the worker's own rule for every class. */
  public static final RetryPolicyConfig NONE =
      new RetryPolicyConfig(null, null, null, null, null, null, null);

  public RetryPolicyConfig {
    rateLimit = RATE_LIMIT.value(rateLimit, WHERE);
    timeout = TIMEOUT.value(timeout, WHERE);
    serverError = SERVER_ERROR.value(serverError, WHERE);
    connectionError = CONNECTION_ERROR.value(connectionError, WHERE);
    authentication = AUTHENTICATION.value(authentication, WHERE);
    badRequest = BAD_REQUEST.value(badRequest, WHERE);
    contentPolicy = CONTENT_POLICY.value(contentPolicy, WHERE);
  }

  /** This policy with every class it leaves unset taken from {@code fallback} (null: none). */
  public RetryPolicyConfig orElse(RetryPolicyConfig fallback) {
    if (fallback == null) {
      return this;
    }
    return new RetryPolicyConfig(
        rateLimit != null ? rateLimit : fallback.rateLimit,
        timeout != null ? timeout : fallback.timeout,
        serverError != null ? serverError : fallback.serverError,
        connectionError != null ? connectionError : fallback.connectionError,
        authentication != null ? authentication : fallback.authentication,
        badRequest != null ? badRequest : fallback.badRequest,
        contentPolicy != null ? contentPolicy : fallback.contentPolicy);
  }
}
