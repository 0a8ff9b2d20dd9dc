package io.switchboard.worker.retry;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.schemas.Outcome;
import io.switchboard.worker.provider.ProviderResponse;
import io.switchboard.worker.provider.TransportFailure;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one place where a provider call's result becomes an {@link Outcome}, a {@link Fault} and an
 * {@link ErrorClass}.
 *
 * <table>
 *   <caption>Classification (with the default {@link RetryBudget})</caption>
 *   <tr><th>result</th><th>outcome</th><th>fault</th><th>error class</th></tr>
 *   <tr><td>2xx with a chat completion</td><td>SUCCESS</td><td>NONE</td><td>none</td></tr>
 *   <tr><td>2xx with a chat completion whose {@code finish_reason} is {@code content_filter}</td><td>SUCCESS</td><td>NONE</td><td>CONTENT_POLICY</td></tr>
 *   <tr><td>2xx whose body is not a chat completion</td><td>RETRY, FALLBACK when retries are used up</td><td>TRANSIENT</td><td>none</td></tr>
 *   <tr><td>429</td><td>RETRY, FALLBACK when retries are used up</td><td>TRANSIENT</td><td>RATE_LIMIT</td></tr>
 *   <tr><td>408, timeout</td><td>RETRY, FALLBACK when retries are used up</td><td>TRANSIENT</td><td>TIMEOUT</td></tr>
 *   <tr><td>5xx</td><td>RETRY, FALLBACK when retries are used up</td><td>TRANSIENT</td><td>SERVER_ERROR</td></tr>
 *   <tr><td>connection refused or reset, I/O error</td><td>RETRY, FALLBACK when retries are used up</td><td>TRANSIENT</td><td>CONNECTION_ERROR</td></tr>
 *   <tr><td>409, cancellation</td><td>RETRY, FALLBACK when retries are used up</td><td>TRANSIENT</td><td>none</td></tr>
 *   <tr><td>a 4xx saying the context window is exceeded</td><td>CONTEXT_WINDOW</td><td>NONE</td><td>none</td></tr>
 *   <tr><td>a 4xx content-filter refusal</td><td>FAIL</td><td>NONE</td><td>CONTENT_POLICY</td></tr>
 *   <tr><td>401, 403</td><td>FALLBACK</td><td>UNUSABLE</td><td>AUTHENTICATION</td></tr>
 *   <tr><td>404</td><td>FALLBACK</td><td>UNUSABLE</td><td>BAD_REQUEST</td></tr>
 *   <tr><td>missing API key, 1xx/3xx</td><td>FALLBACK</td><td>UNUSABLE</td><td>none</td></tr>
 *   <tr><td>400, 422</td><td>FAIL</td><td>NONE</td><td>BAD_REQUEST</td></tr>
 *   <tr><td>any other 4xx</td><td>FAIL</td><td>NONE</td><td>none</td></tr>
 * </table>
 *
 * <p>A content-filter refusal of a request with a content-policy chain left is CONTENT_POLICY in
 * place of its outcome above, once its retries are used up.
 *
 * <p>A failure is retried (RETRY) while the retries made on the deployment are fewer than the
 * {@link RetryBudget} allows for it; {@code retry_on_status_codes} and {@code retry_policy} change
 * which failures those are and how often, never the outcome once retries are used up.
 *
 * <p>Context-window errors are recognised by OpenAI's and Azure's code {@code
 * context_length_exceeded}, Anthropic's {@code prompt is too long}, and messages of the usual
 * OpenAI-compatible servers ("maximum context length", "context window exceeded", ...).
 * Content-filter refusals: a completion whose first choice ends with {@code finish_reason} {@code
 * content_filter} (Azure's and OpenAI's filter, Anthropic's {@code refusal} as the adapter
 * translates it), or a 4xx with Azure's code {@code content_filter}, OpenAI's {@code
 * content_policy_violation}, or a message naming a content policy, content filter or safety system.
 */
public final class OutcomeClassifier {
  private static final Pattern CONTEXT_MESSAGE =
      Pattern.compile(
          "maximum context length"
              + "|context[ _-]?(length|window)[ _-]?(is |was )?exceeded"
              + "|exceeds? (the )?(model'?s? )?(maximum )?context[ _-]?(length|window)"
              + "|prompt is too long"
              + "|input is too long for (the )?(requested )?model"
              + "|reduce the length of the messages",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern CONTENT_POLICY_MESSAGE =
      Pattern.compile(
          "content[ _-]?(management[ _-]?)?(policy|policies|filter)|safety system|usage polic(y|ies)",
          Pattern.CASE_INSENSITIVE);

  private OutcomeClassifier() {}

  /**
   * Classifies one call with the default statuses and no retry policy.
   *
   * @param response what the call produced
   * @param attempt 0 for the first call to this deployment, 1 for the first retry, ...
   * @param maxRetries the deployment's {@code max_retries}
   */
  public static Outcome classify(ProviderResponse response, int attempt, int maxRetries) {
    if (maxRetries < 0) {
      throw new IllegalArgumentException(
          "attempt and maxRetries must be >= 0, were " + attempt + ", " + maxRetries);
    }
    return classify(response, attempt, RetryBudget.defaults(maxRetries));
  }

  /** Classifies one call of a request without a content-policy chain. */
  public static Outcome classify(ProviderResponse response, int attempt, RetryBudget budget) {
    return classify(response, attempt, budget, false);
  }

  /**
   * Classifies one call.
   *
   * @param response what the call produced
   * @param attempt 0 for the first call to this deployment, 1 for the first retry, ...
   * @param budget the deployment's retries
   * @param contentPolicyChain whether the request has a content-policy chain left: then a
   *     content-filter refusal whose retries are used up is CONTENT_POLICY, else it is the answer
   */
  public static Outcome classify(
      ProviderResponse response, int attempt, RetryBudget budget, boolean contentPolicyChain) {
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must be >= 0, was " + attempt);
    }
    boolean completion = response.failure() == null && response.isCompletion();
    if (completion && !isContentPolicyRefusal(response)) {
      return Outcome.SUCCESS;
    }
    if (isContextWindowError(response)) {
      return Outcome.CONTEXT_WINDOW;
    }
    if (attempt < budget.retriesFor(response)) {
      return Outcome.RETRY;
    }
    if (contentPolicyChain && isContentPolicyRefusal(response)) {
      return Outcome.CONTENT_POLICY;
    }
    if (completion) {
      return Outcome.SUCCESS; // a refusal is the answer
    }
    return switch (fault(response)) {
      case TRANSIENT, UNUSABLE -> Outcome.FALLBACK;
      case NONE -> Outcome.FAIL;
    };
  }

  /**
   * The failure's class for {@code retry_policy}, or null for a completion and failures of no
   * class.
   */
  public static ErrorClass errorClass(ProviderResponse response) {
    if (isContentPolicyRefusal(response)) {
      return ErrorClass.CONTENT_POLICY;
    }
    TransportFailure failure = response.failure();
    if (failure != null) {
      return switch (failure.kind()) {
        case TIMEOUT -> ErrorClass.TIMEOUT;
        case CONNECT, CONNECTION_RESET, IO -> ErrorClass.CONNECTION_ERROR;
        case CANCELLED, NOT_CONFIGURED -> null;
      };
    }
    int status = response.status();
    if (status == 429) {
      return ErrorClass.RATE_LIMIT;
    }
    if (status == 408) {
      return ErrorClass.TIMEOUT;
    }
    if (status >= 500) {
      return ErrorClass.SERVER_ERROR;
    }
    if (status == 401 || status == 403) {
      return ErrorClass.AUTHENTICATION;
    }
    if ((status == 400 || status == 404 || status == 422) && !isContextWindowError(response)) {
      return ErrorClass.BAD_REQUEST;
    }
    return null;
  }

  /** Whose fault the call's failure is; {@link Fault#NONE} for a completion. */
  public static Fault fault(ProviderResponse response) {
    TransportFailure failure = response.failure();
    if (failure != null) {
      return failure.kind() == TransportFailure.Kind.NOT_CONFIGURED
          ? Fault.UNUSABLE
          : Fault.TRANSIENT;
    }
    int status = response.status();
    if (status / 100 == 2) {
      return response.isCompletion() ? Fault.NONE : Fault.TRANSIENT;
    }
    if (status == 408 || status == 409 || status == 429 || status >= 500) {
      return Fault.TRANSIENT;
    }
    if (status == 401 || status == 403 || status == 404 || status < 200 || status / 100 == 3) {
      return Fault.UNUSABLE;
    }
    return Fault.NONE;
  }

  /**
   * True for a content-filter refusal: a completion whose first choice's {@code finish_reason} is
   * {@code content_filter}, or a 4xx (not a context-window error) whose code or message names a
   * content policy or filter.
   */
  public static boolean isContentPolicyRefusal(ProviderResponse response) {
    if (response.failure() != null) {
      return false;
    }
    if (response.isCompletion()) {
      JsonNode reason = response.body().path("choices").get(0).get("finish_reason");
      return reason != null && "content_filter".equals(reason.asText());
    }
    if (response.status() / 100 != 4 || isContextWindowError(response)) {
      return false;
    }
    String code = response.errorCode();
    if (code != null
        && (code.equalsIgnoreCase("content_filter")
            || code.equalsIgnoreCase("content_policy_violation"))) {
      return true;
    }
    String message = response.errorMessage();
    return message != null && CONTENT_POLICY_MESSAGE.matcher(message).find();
  }

  /**
   * {@link #fault(ProviderResponse)}, except that a failure the budget retries is at most
   * TRANSIENT: a deployment whose 401s or 404s the config says to retry gets its retries before it
   * cools down, and those failures count towards {@code allowed_fails} like any transient one.
   */
  public static Fault fault(ProviderResponse response, RetryBudget budget) {
    Fault fault = fault(response);
    return fault == Fault.UNUSABLE && budget.retriesFor(response) > 0 ? Fault.TRANSIENT : fault;
  }

  /** True for a 4xx response saying the prompt does not fit the model's context window. */
  public static boolean isContextWindowError(ProviderResponse response) {
    if (response.status() == null || response.status() / 100 != 4) {
      return false;
    }
    String code = response.errorCode();
    if (code != null && code.toLowerCase(Locale.ROOT).equals("context_length_exceeded")) {
      return true;
    }
    String message = response.errorMessage();
    return message != null && CONTEXT_MESSAGE.matcher(message).find();
  }
}
