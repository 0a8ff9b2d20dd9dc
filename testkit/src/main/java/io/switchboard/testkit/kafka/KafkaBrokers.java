package io.switchboard.testkit.kafka;

import java.util.Locale;

/**
 * Chooses the broker for tests: the {@code apache/kafka} container when a Docker engine
 * answers, else the in-process broker. Force one with the system property or environment
 * variable {@code switchboard.broker} / {@code SWITCHBOARD_BROKER} = {@code in-process} |
 * {@code container} | {@code auto} (default).
 */
public final class KafkaBrokers {
  public static final String PROPERTY = "switchboard.broker";
  public static final String ENV = "SWITCHBOARD_BROKER";

  private KafkaBrokers() {}

  public static KafkaBroker start() {
    String choice = System.getProperty(PROPERTY, System.getenv().getOrDefault(ENV, "auto")).toLowerCase(Locale.ROOT);
    return switch (choice) {
      case "in-process", "inprocess" -> InProcessKafkaBroker.start();
      case "container", "testcontainers" -> ContainerKafkaBroker.start();
      case "auto" -> ContainerKafkaBroker.dockerAvailable() ? ContainerKafkaBroker.start() : InProcessKafkaBroker.start();
      default -> throw new IllegalArgumentException(PROPERTY + " must be in-process, container or auto, was '" + choice + "'");
    };
  }
}
