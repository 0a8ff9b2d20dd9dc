package io.switchboard.worker;

import io.switchboard.worker.provider.ProviderCall;
import io.switchboard.worker.provider.ProviderClient;
import io.switchboard.worker.provider.ProviderResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A provider client that holds back the calls of chosen requests until {@link #release()}, then
 * makes them through the real client; every other call goes through at once. A held call is a call
 * in flight for the engine, as a hanging provider's would be.
 */
final class GatedProvider implements ProviderClient {
  private final ProviderClient real;
  private final Predicate<String> held;
  private final CompletableFuture<Void> gate = new CompletableFuture<>();
  private final AtomicInteger waiting = new AtomicInteger();

  /**
   * @param held which request ids wait for {@link #release()}
   */
  GatedProvider(ProviderClient real, Predicate<String> held) {
    this.real = real;
    this.held = held;
  }

  @Override
  public CompletableFuture<ProviderResponse> call(ProviderCall call) {
    if (!held.test(call.requestId()) || gate.isDone()) {
      return real.call(call);
    }
    waiting.incrementAndGet();
    return gate.thenCompose(v -> real.call(call));
  }

  /** Calls held now (not counting those released). */
  int held() {
    return gate.isDone() ? 0 : waiting.get();
  }

  /** Lets every held call, and every later one, through. */
  void release() {
    gate.complete(null);
  }
}
