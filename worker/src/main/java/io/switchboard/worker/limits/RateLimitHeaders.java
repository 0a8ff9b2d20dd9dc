package io.switchboard.worker.limits;

import io.switchboard.worker.provider.ProviderResponse;
import io.switchboard.worker.retry.ServerDelay;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * The provider's own view of a deployment's rate limit, read from one response's headers.
 *
 * <table>
 *   <caption>Headers read</caption>
 *   <tr><th>API</th><th>limit</th><th>remaining</th><th>reset</th></tr>
 *   <tr><td>OpenAI, Azure OpenAI</td><td>{@code x-ratelimit-limit-requests|tokens}</td>
 *       <td>{@code x-ratelimit-remaining-requests|tokens}</td>
 *       <td>{@code x-ratelimit-reset-requests|tokens}: a Go duration ({@code 6m0s}, {@code 1s},
 *       {@code 20ms})</td></tr>
 *   <tr><td>Anthropic</td><td>{@code anthropic-ratelimit-requests|tokens-limit}</td>
 *       <td>{@code anthropic-ratelimit-requests|tokens-remaining}</td>
 *       <td>{@code anthropic-ratelimit-requests|tokens-reset}: an RFC 3339 instant</td></tr>
 * </table>
 *
 * Azure often sends only the remaining counts. Unparseable or negative values are left out; limits
 * below 1 too. The limits are per API key (and model), so a key shared by several deployments shows
 * each of them the key's whole limit.
 *
 * @param requestLimit requests per minute the provider allows, or null
 * @param requestsRemaining requests left in the provider's current window, or null
 * @param requestsReset time until the request window is full again, or null
 * @param tokenLimit tokens per minute the provider allows, or null
 * @param tokensRemaining tokens left in the provider's current window, or null
 * @param tokensReset time until the token window is full again, or null
 */
public record RateLimitHeaders(
    Integer requestLimit,
    Integer requestsRemaining,
    Duration requestsReset,
    Integer tokenLimit,
    Integer tokensRemaining,
    Duration tokensReset) {

  /** No rate-limit header. */
  public static final RateLimitHeaders NONE =
      new RateLimitHeaders(null, null, null, null, null, null);

  /** The rate-limit headers of {@code response}, measured from {@code now}. */
  public static RateLimitHeaders of(ProviderResponse response, Instant now) {
    if (response.header("anthropic-ratelimit-requests-limit") != null
        || response.header("anthropic-ratelimit-tokens-limit") != null
        || response.header("anthropic-ratelimit-requests-remaining") != null) {
      return new RateLimitHeaders(
          limit(response.header("anthropic-ratelimit-requests-limit")),
          count(response.header("anthropic-ratelimit-requests-remaining")),
          instant(response.header("anthropic-ratelimit-requests-reset"), now),
          limit(response.header("anthropic-ratelimit-tokens-limit")),
          count(response.header("anthropic-ratelimit-tokens-remaining")),
          instant(response.header("anthropic-ratelimit-tokens-reset"), now));
    }
    return new RateLimitHeaders(
        limit(response.header("x-ratelimit-limit-requests")),
        count(response.header("x-ratelimit-remaining-requests")),
        ServerDelay.parseResetDuration(response.header("x-ratelimit-reset-requests")).orElse(null),
        limit(response.header("x-ratelimit-limit-tokens")),
        count(response.header("x-ratelimit-remaining-tokens")),
        ServerDelay.parseResetDuration(response.header("x-ratelimit-reset-tokens")).orElse(null));
  }

  /** Whether the response announced a request or token limit. */
  public boolean hasLimit() {
    return requestLimit != null || tokenLimit != null;
  }

  private static Integer limit(String value) {
    Integer n = count(value);
    return n == null || n < 1 ? null : n;
  }

  private static Integer count(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      long n = Long.parseLong(value.trim());
      return n < 0 ? null : (int) Math.min(Integer.MAX_VALUE, n);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Duration instant(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      Duration wait = Duration.between(now, OffsetDateTime.parse(value.trim()).toInstant());
      return wait.isNegative() ? Duration.ZERO : wait;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
