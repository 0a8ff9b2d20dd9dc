package io.switchboard.testkit.mock;

import java.time.Instant;

/**
 * One call the mock provider received. The credential is never stored: only whether one was sent.
 *
 * @param at when the request was read (the provider's clock)
 * @param deployment the deployment of the {@code /d/{deployment}} prefix, or {@link
 *     MockProvider#DEFAULT_DEPLOYMENT} for calls without it
 * @param api {@link #OPENAI}, {@link #AZURE}, {@link #ANTHROPIC}, or {@link #UNKNOWN} for a path
 *     the mock does not serve
 * @param model the body's {@code model} (for Azure the path's deployment when the body has none),
 *     or null when the body has none or is not JSON
 * @param status the HTTP status answered, 0 when the connection was reset or the call hangs
 * @param latencyMs from reading the request to writing the answer's head
 * @param credentialPresent whether the API's credential header was sent
 * @param requestId the {@code x-switchboard-request-id} header, or null
 * @param tokens the usage answered (prompt plus completion tokens), 0 when the call got no
 *     completion
 */
public record Call(
    Instant at,
    String deployment,
    String api,
    String model,
    int status,
    long latencyMs,
    boolean credentialPresent,
    String requestId,
    int tokens) {
  public static final String OPENAI = "openai";
  public static final String AZURE = "azure";
  public static final String ANTHROPIC = "anthropic";
  public static final String UNKNOWN = "unknown";

  /** Whether the provider answered 2xx. */
  public boolean succeeded() {
    return status >= 200 && status < 300;
  }
}
