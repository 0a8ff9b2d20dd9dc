package io.switchboard.worker.retry;

import io.switchboard.schemas.Outcome;
import io.switchboard.worker.provider.ProviderResponse;
import io.switchboard.worker.provider.TransportFailure;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one place where a provider call's result becomes an {@link Outcome} and a {@link Fault}.
 *
 * <table>
 *   <caption>Classification</caption>
 *   <tr><th>result</th><th>outcome</th><th>fault</th></tr>
 *   <tr><td>2xx with a chat completion</td><td>SUCCESS</td><td>NONE</td></tr>
 *   <tr><td>2xx whose body is not a chat completion</td><td>RETRY, FALLBACK when retries are used up</td><td>TRANSIENT</td></tr>
 *   <tr><td>408, 409, 429, 5xx, timeout, connection or I/O error, cancellation</td><td>RETRY, FALLBACK when retries are used up</td><td>TRANSIENT</td></tr>
 *   <tr><td>a 4xx saying the context window is exceeded</td><td>CONTEXT_WINDOW</td><td>NONE</td></tr>
 *   <tr><td>401, 403, 404, missing API key, 1xx/3xx</td><td>FALLBACK</td><td>UNUSABLE</td></tr>
 *   <tr><td>any other 4xx</td><td>FAIL</td><td>NONE</td></tr>
 * </table>
 *
 * <p>Context-window errors are recognised by OpenAI's and Azure's code {@code
 * context_length_exceeded}, Anthropic's {@code prompt is too long}, and messages of the usual
 * OpenAI-compatible servers ("maximum context length", "context window exceeded", ...).
 */
public final class OutcomeClassifier {
  private static final Pattern CONTEXT_MESSAGE = Pattern.compile(
      "maximum context length"
          + "|context[ _-]?(length|window)[ _-]?(is |was )?exceeded"
          + "|exceeds? (the )?(model'?s? )?(maximum )?context[ _-]?(length|window)"
          + "|prompt is too long"
          + "|input is too long for (the )?(requested )?model"
          + "|reduce the length of the messages",
      Pattern.CASE_INSENSITIVE);

  private OutcomeClassifier() {}

  /**
   * Classifies one call.
   *
   * @param response what the call produced
   * @param attempt 0 for the first call to this deployment, 1 for the first retry, ...
   * @param maxRetries retries allowed on this deployment (see {@link RetryBudget})
   */
  public static Outcome classify(ProviderResponse response, int attempt, int maxRetries) {
    if (attempt < 0 || maxRetries < 0) {
      throw new IllegalArgumentException("attempt and maxRetries must be >= 0, were " + attempt + ", " + maxRetries);
    }
    if (response.failure() == null && response.isCompletion()) {
      return Outcome.SUCCESS;
    }
    if (isContextWindowError(response)) {
      return Outcome.CONTEXT_WINDOW;
    }
    return switch (fault(response)) {
      case TRANSIENT -> attempt < maxRetries ? Outcome.RETRY : Outcome.FALLBACK;
      case UNUSABLE -> Outcome.FALLBACK;
      case NONE -> Outcome.FAIL;
    };
  }

  /** Whose fault the call's failure is; {@link Fault#NONE} for a completion. */
  public static Fault fault(ProviderResponse response) {
    TransportFailure failure = response.failure();
    if (failure != null) {
      return failure.kind() == TransportFailure.Kind.NOT_CONFIGURED ? Fault.UNUSABLE : Fault.TRANSIENT;
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
