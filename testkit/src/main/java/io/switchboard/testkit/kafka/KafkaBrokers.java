package io.switchboard.testkit.kafka;

import java.util.Locale;
import java.util.Map;

/**
 * Chooses the broker for tests: the {@code apache/kafka} container when a Docker engine answers,
 * else the in-process broker. Force one with the system property or environment variable {@code
 * switchboard.broker} / {@code SWITCHBOARD_BROKER} = {@code in-process} | {@code container} |
 * {@code auto} (default).
 */
public final class KafkaBrokers {
  public static final String PROPERTY = "switchboard.broker";
  public static final String ENV = "SWITCHBOARD_BROKER";

  private KafkaBrokers() {}

  /** Starts the chosen broker with the single-node defaults. */
  public static KafkaBroker start() {
    return start(Map.of());
  }

  /**
   * Starts the chosen broker; {@code overrides} are broker properties over the single-node
   * defaults.
   */
  public static KafkaBroker start(Map<String, String> overrides) {
    String choice =
        System.getProperty(PROPERTY, System.getenv().getOrDefault(ENV, "auto"))
            .toLowerCase(Locale.ROOT);
    return switch (choice) {
      case "in-process", "inprocess" -> InProcessKafkaBroker.start(overrides);
      case "container", "testcontainers" -> ContainerKafkaBroker.start(overrides);
      case "auto" ->
          ContainerKafkaBroker.dockerAvailable()
              ? ContainerKafkaBroker.start(overrides)
              : InProcessKafkaBroker.start(overrides);
      default ->
          throw new IllegalArgumentException(
              PROPERTY + " must be in-process, container or auto, was '" + choice + "'");
    };
  }
}
