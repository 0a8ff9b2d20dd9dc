package io.switchboard.schemas.config;

/**
 * {@code observability}: the HTTP endpoint every process serves for Prometheus and probes ({@code
 * /metrics}, {@code /health}, {@code /ready}). Each key is declared once below; no component is
 * null.
 *
 * @param port {@link #PORT}
 * @param bindAddress {@link #BIND_ADDRESS}
 */
public record ObservabilityConfig(Integer port, String bindAddress) {
  /** The default scrape port. */
  public static final int DEFAULT_PORT = 9404;

  /** The port value that turns the endpoint off. */
  public static final int OFF = -1;

  private static final String SECTION = "observability";

  public static final ConfigKey<Integer> PORT =
      ConfigKey.integer(
              SECTION,
              "port",
              DEFAULT_PORT,
              "The port to listen on; 0 picks any free port, -1 turns the endpoint off.")
          .between(OFF, 65_535);
  public static final ConfigKey<String> BIND_ADDRESS =
      ConfigKey.string(SECTION, "bind_address", "0.0.0.0", "The address to listen on.").atLeast(1);

  /** Every key at its default. */
  public static final ObservabilityConfig DEFAULT = new ObservabilityConfig(null, null);

  public ObservabilityConfig {
    port = PORT.value(port);
    bindAddress = BIND_ADDRESS.value(bindAddress);
  }

  /** Whether the endpoint is served at all. */
  public boolean enabled() {
    return port != OFF;
  }

  /** A copy on another port (tests use 0). */
  public ObservabilityConfig withPort(int newPort) {
    return new ObservabilityConfig(newPort, bindAddress);
  }
}
