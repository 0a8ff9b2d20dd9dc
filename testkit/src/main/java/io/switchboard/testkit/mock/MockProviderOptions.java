package io.switchboard.testkit.mock;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How to start a {@link MockProvider}.
 *
 * @param host the address to listen on (default {@code 127.0.0.1}; {@code 0.0.0.0} in a container
 *     that other containers call); {@link MockProvider#baseUrl()} always names 127.0.0.1
 * @param port the port, 0 for an ephemeral one (default 0)
 * @param defaultBehavior the behaviour of deployments without their own (default {@link
 *     Behavior#ok()})
 * @param seed the seed of the random draws (latency, error and 429 probabilities) (default 42)
 * @param ioThreads the I/O reactor threads (default: the available processors)
 * @param clock the clock of the call log and of the rpm windows (default UTC system clock)
 * @param maxBodyBytes larger request bodies get a 413 (default 32 MiB)
 * @param idleTimeout an idle or hanging connection is closed after this (default 10 minutes)
 * @param http2 speak HTTP/2 over plain TCP with prior knowledge (h2c) instead of HTTP/1.1 (default
 *     no); the server then answers HTTP/2 only
 */
public record MockProviderOptions(
    String host,
    int port,
    Behavior defaultBehavior,
    long seed,
    int ioThreads,
    Clock clock,
    int maxBodyBytes,
    Duration idleTimeout,
    boolean http2) {

  public MockProviderOptions {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
    }
    Objects.requireNonNull(defaultBehavior, "defaultBehavior");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be >= 1, was " + ioThreads);
    }
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes must be >= 1, was " + maxBodyBytes);
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout must be positive, was " + idleTimeout);
    }
  }

  /** The defaults: an ephemeral port, every call succeeds at once. */
  public static MockProviderOptions defaults() {
    return new MockProviderOptions(
        "127.0.0.1",
        0,
        Behavior.ok(),
        42,
        Runtime.getRuntime().availableProcessors(),
        Clock.systemUTC(),
        32 * 1024 * 1024,
        Duration.ofMinutes(10),
        false);
  }

  public MockProviderOptions withHost(String host) {
    return edit(d -> d.host = host);
  }

  public MockProviderOptions withPort(int port) {
    return edit(d -> d.port = port);
  }

  public MockProviderOptions withDefaultBehavior(Behavior behavior) {
    return edit(d -> d.defaultBehavior = behavior);
  }

  public MockProviderOptions withSeed(long seed) {
    return edit(d -> d.seed = seed);
  }

  public MockProviderOptions withIoThreads(int ioThreads) {
    return edit(d -> d.ioThreads = ioThreads);
  }

  public MockProviderOptions withClock(Clock clock) {
    return edit(d -> d.clock = clock);
  }

  public MockProviderOptions withMaxBodyBytes(int maxBodyBytes) {
    return edit(d -> d.maxBodyBytes = maxBodyBytes);
  }

  public MockProviderOptions withIdleTimeout(Duration idleTimeout) {
    return edit(d -> d.idleTimeout = idleTimeout);
  }

  public MockProviderOptions withHttp2(boolean http2) {
    return edit(d -> d.http2 = http2);
  }

  /**
   * These options with {@code change} applied: the one place a {@code with...} method builds new
   * ones.
   */
  private MockProviderOptions edit(Consumer<Draft> change) {
    Draft draft = new Draft(this);
    change.accept(draft);
    return draft.toOptions();
  }

  /** The components of the options while a {@code with...} method changes one of them. */
  private static final class Draft {
    String host;
    int port;
    Behavior defaultBehavior;
    long seed;
    int ioThreads;
    Clock clock;
    int maxBodyBytes;
    Duration idleTimeout;
    boolean http2;

    Draft(MockProviderOptions from) {
      host = from.host;
      port = from.port;
      defaultBehavior = from.defaultBehavior;
      seed = from.seed;
      ioThreads = from.ioThreads;
      clock = from.clock;
      maxBodyBytes = from.maxBodyBytes;
      idleTimeout = from.idleTimeout;
      http2 = from.http2;
    }

    MockProviderOptions toOptions() {
      return new MockProviderOptions(
          host, port, defaultBehavior, seed, ioThreads, clock, maxBodyBytes, idleTimeout, http2);
    }
  }
}
