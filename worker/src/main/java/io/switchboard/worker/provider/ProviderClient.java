package io.switchboard.worker.provider;

import java.util.concurrent.CompletableFuture;

/**
 * Calls one provider API. Implementations translate the OpenAI chat completions body to the
 * provider's dialect and the answer back to OpenAI's {@code chat.completion} shape.
 *
 * <p>The returned future always completes normally: HTTP errors, timeouts and connection failures
 * are described by the {@link ProviderResponse}, never thrown. Implementations are thread-safe and
 * never block the calling thread.
 */
public interface ProviderClient {

  /** Starts one attempt; the future completes with its response or transport failure. */
  CompletableFuture<ProviderResponse> call(ProviderCall call);
}
