package io.switchboard.router.streams;

import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.topics.TopicProvisioner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of running a Kafka Streams application that the router and the metrics aggregator
 * share.
 */
public final class StreamsApps {
  private static final Logger log = LoggerFactory.getLogger(StreamsApps.class);

  private StreamsApps() {}

  /**
   * Creates the topics the config names where they are missing (refusing a dispatch topic smaller
   * than the lane plan), then starts {@code streams} with a handler that replaces a stream thread
   * that fails instead of letting the application die.
   *
   * @param what names the application in the log, e.g. {@code router}
   */
  public static void start(KafkaStreams streams, SwitchboardConfig config, String what)
      throws InterruptedException {
    try (Admin admin = Admin.create(new HashMap<String, Object>(config.kafka()))) {
      TopicProvisioner.ensure(admin, config);
    }
    streams.setUncaughtExceptionHandler(
        e -> {
          log.error("{} stream thread failed; replacing it", what, e);
          return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    streams.start();
  }

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

  /**
   * Waits until {@code streams} is RUNNING, or throws after {@code timeout}.
   *
   * @param what names the application in the error, e.g. {@code router}
   */
  public static void awaitRunning(KafkaStreams streams, String what, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException(
            what + " not RUNNING after " + timeout + " (state " + streams.state() + ")");
      }
      Thread.sleep(50);
    }
  }
}
