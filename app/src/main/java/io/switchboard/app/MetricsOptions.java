package io.switchboard.app;

import io.switchboard.schemas.config.ConfigException;
import io.switchboard.schemas.config.ObservabilityConfig;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --metrics-port} of every long-running process ({@code router}, {@code worker}, {@code
 * dev}), so that several can share a host: the port of {@code /metrics}, {@code /health} and {@code
 * /ready} is, first found, the option, {@value #ENV}, then {@code observability.port} of the config
 * (default {@value ObservabilityConfig#DEFAULT_PORT}).
 */
public final class MetricsOptions {
  /** The environment variable naming the port. */
  public static final String ENV = "SWITCHBOARD_METRICS_PORT";

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description =
          "Port of /metrics, /health and /ready; 0 for any free port, -1 for none (default: "
              + ENV
              + ", else observability.port, else "
              + ObservabilityConfig.DEFAULT_PORT
              + ").")
  Integer port;

  /** The process environment; tests put their own. */
  Map<String, String> environment = System.getenv();

  /**
   * The endpoint of {@code fromConfig} on the port the option or the environment names, if either
   * does.
   */
  public ObservabilityConfig resolve(ObservabilityConfig fromConfig) {
    if (port != null) {
      return fromConfig.withPort(checked(port, "--metrics-port"));
    }
    String fromEnv = environment.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      try {
        return fromConfig.withPort(checked(Integer.parseInt(fromEnv.strip()), ENV));
      } catch (NumberFormatException e) {
        throw new ConfigException(
            ENV + ": '" + fromEnv + "' is not a port number (0 for any free port, -1 for none)");
      }
    }
    return fromConfig;
  }

  private static int checked(int port, String where) {
    if (port < ObservabilityConfig.OFF || port > 65_535) {
      throw new ConfigException(
          where + ": " + port + " is not a port number (0 for any free port, -1 for none)");
    }
    return port;
  }
}
