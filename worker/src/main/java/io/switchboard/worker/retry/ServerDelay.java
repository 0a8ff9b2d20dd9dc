package io.switchboard.worker.retry;

import io.switchboard.worker.provider.ProviderResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a provider asked us to wait before calling again, read from its response headers.
 *
 * <ol>
 *   <li>{@code retry-after-ms} (milliseconds, Azure and OpenAI) when present;
 *   <li>else {@code Retry-After}: delay-seconds (decimals accepted) or an HTTP date;
 *   <li>else, on a 429 only, the larger of {@code x-ratelimit-reset-requests} and {@code
 *       x-ratelimit-reset-tokens} in OpenAI's duration format ({@code 1s}, {@code 6m0s}, {@code
 *       20ms}, {@code 1h2m3.5s}). These come with every OpenAI response, so they mean "wait" only
 *       when the call was actually rate limited.
 * </ol>
 *
 * Unparseable or negative values are ignored.
 */
public final class ServerDelay {
  private static final Pattern DURATION_PART =
      Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s|us|µs|ns)");

  private ServerDelay() {}

  /** The delay the response asks for, measured from {@code now}; empty when it asks for none. */
  public static Optional<Duration> of(ProviderResponse response, Instant now) {
    Optional<Duration> millis = parseMillis(response.header("retry-after-ms"));
    if (millis.isPresent()) {
      return millis;
    }
    Optional<Duration> retryAfter = parseRetryAfter(response.header("retry-after"), now);
    if (retryAfter.isPresent()) {
      return retryAfter;
    }
    if (response.status() != null && response.status() == 429) {
      Optional<Duration> requests =
          parseResetDuration(response.header("x-ratelimit-reset-requests"));
      Optional<Duration> tokens = parseResetDuration(response.header("x-ratelimit-reset-tokens"));
      if (requests.isPresent() && tokens.isPresent()) {
        return Optional.of(max(requests.get(), tokens.get()));
      }
      return requests.isPresent() ? requests : tokens;
    }
    return Optional.empty();
  }

  static Optional<Duration> parseMillis(String value) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      double ms = Double.parseDouble(value.trim());
      return ms >= 0 && Double.isFinite(ms)
          ? Optional.of(Duration.ofNanos((long) (ms * 1_000_000)))
          : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  static Optional<Duration> parseRetryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String v = value.trim();
    try {
      double seconds = Double.parseDouble(v);
      return seconds >= 0 && Double.isFinite(seconds)
          ? Optional.of(Duration.ofMillis((long) Math.ceil(seconds * 1000)))
          : Optional.empty();
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration wait = Duration.between(now, at);
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
  }

  /**
   * OpenAI's reset format: a Go duration such as {@code 1s}, {@code 6m0s}, {@code 20ms}, {@code
   * 1h2m3.5s}.
   */
  public static Optional<Duration> parseResetDuration(String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String v = value.trim();
    Matcher m = DURATION_PART.matcher(v);
    double nanos = 0;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        return Optional.empty();
      }
      end = m.end();
      double amount = Double.parseDouble(m.group(1));
      nanos +=
          amount
              * switch (m.group(2)) {
                case "h" -> 3_600e9;
                case "m" -> 60e9;
                case "s" -> 1e9;
                case "ms" -> 1e6;
                case "us", "µs" -> 1e3;
                default -> 1;
              };
    }
    if (end == 0 || end != v.length()) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos((long) nanos));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
