package io.switchboard.router.streams;

import io.switchboard.schemas.config.SwitchboardConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * The parts of setting up a Kafka Streams application that the router and the metrics aggregator
 * share; {@link StreamsRun} runs one.
 */
public final class StreamsApps {
  private StreamsApps() {}

  /**
   * The state directory: {@code router_settings.state_dir} when set, else a new temporary directory
   * whose name starts with {@code tempPrefix}.
   */
  public static String stateDir(SwitchboardConfig config, String tempPrefix) {
    if (config.routerSettings().stateDir() != null) {
      return config.routerSettings().stateDir();
    }
    try {
      return Files.createTempDirectory(tempPrefix).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create a state directory; set router_settings.state_dir", e);
    }
  }
}
