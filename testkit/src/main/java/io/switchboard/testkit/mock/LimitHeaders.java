package io.switchboard.testkit.mock;

import java.time.Instant;
import java.util.List;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;

/**
 * The rate-limit headers a provider sends with every successful answer, here for a deployment's rpm
 * window ({@link Behavior#rpm()}): OpenAI's and Azure's {@code x-ratelimit-limit|remaining|
 * reset-requests} (the reset as a Go duration, {@code 6m0s}, {@code 1s}, {@code 20ms}), Anthropic's
 * {@code anthropic-ratelimit-requests-limit|remaining|reset} (the reset as an RFC 3339 instant).
 */
final class LimitHeaders {
  private LimitHeaders() {}

  /**
   * @param window the rpm window after admitting this call: {@code [admitted, millis until the
   *     oldest admission leaves it]} ({@link DeploymentState#window})
   */
  static List<Header> of(ProviderApi api, int rpm, long[] window, Instant now) {
    String remaining = Long.toString(Math.max(0, rpm - window[0]));
    if (api == ProviderApi.ANTHROPIC) {
      return List.of(
          new BasicHeader("anthropic-ratelimit-requests-limit", Integer.toString(rpm)),
          new BasicHeader("anthropic-ratelimit-requests-remaining", remaining),
          new BasicHeader(
              "anthropic-ratelimit-requests-reset", now.plusMillis(window[1]).toString()));
    }
    return List.of(
        new BasicHeader("x-ratelimit-limit-requests", Integer.toString(rpm)),
        new BasicHeader("x-ratelimit-remaining-requests", remaining),
        new BasicHeader("x-ratelimit-reset-requests", ProviderApi.resetFormat(window[1])));
  }
}
