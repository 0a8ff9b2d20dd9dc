package io.switchboard.router.streams;

import io.switchboard.schemas.config.SwitchboardConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;

/** The parts of running a Kafka Streams application that the router and the metrics aggregator share. */
public final class StreamsApps {
  private StreamsApps() {}

  /**
   * The state directory: {@code router_settings.state_dir} when set, else a new temporary
   * directory whose name starts with {@code tempPrefix}.
   */
  public static String stateDir(SwitchboardConfig config, String tempPrefix) {
    if (config.routerSettings().stateDir() != null) {
      return config.routerSettings().stateDir();
    }
    try {
      return Files.createTempDirectory(tempPrefix).toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a state directory; set router_settings.state_dir", e);
    }
  }

  /**
   * Waits until {@code streams} is RUNNING, or throws after {@code timeout}.
   *
   * @param what names the application in the error, e.g. {@code router}
   */
  public static void awaitRunning(KafkaStreams streams, String what, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException(what + " not RUNNING after " + timeout + " (state " + streams.state() + ")");
      }
      Thread.sleep(50);
    }
  }
}
