package io.switchboard.schemas.config;

/**
 * {@code observability}: the HTTP endpoint every process serves for Prometheus and probes
 * ({@code /metrics}, {@code /health}, {@code /ready}).
 *
 * @param port the port to listen on (default 9404); 0 picks a free port, -1 turns the endpoint off
 * @param bindAddress the address to listen on (default {@code 0.0.0.0})
 */
public record ObservabilityConfig(Integer port, String bindAddress) {
  /** The default scrape port. */
  public static final int DEFAULT_PORT = 9404;
  /** The port value that turns the endpoint off. */
  public static final int OFF = -1;

  public static final ObservabilityConfig DEFAULT = new ObservabilityConfig(null, null);

  public ObservabilityConfig {
    port = port == null ? DEFAULT_PORT : port;
    if (port < OFF || port > 65_535) {
      throw new ConfigException("observability.port: " + port + " is not a port; use 1..65535, 0 for any free port or -1 for off");
    }
    bindAddress = bindAddress == null ? "0.0.0.0" : bindAddress;
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
