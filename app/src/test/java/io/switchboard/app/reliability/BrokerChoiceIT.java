package io.switchboard.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.testkit.kafka.InProcessKafkaBroker;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The switch between the in-process broker and Testcontainers, without a Docker engine. */
class BrokerChoiceIT {
  private final String before = System.getProperty(KafkaBrokers.PROPERTY);

  @AfterEach
  void restore() {
    if (before == null) {
      System.clearProperty(KafkaBrokers.PROPERTY);
    } else {
      System.setProperty(KafkaBrokers.PROPERTY, before);
    }
  }

  @Test
  void anUnknownChoiceIsRefusedWithTheAllowedValues() {
    System.setProperty(KafkaBrokers.PROPERTY, "docker-please");
    assertThatThrownBy(KafkaBrokers::start)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("switchboard.broker")
        .hasMessageContaining("in-process, container or auto")
        .hasMessageContaining("docker-please");
  }

  @Test
  @Timeout(120)
  void inProcessIsChosenWhenAsked() {
    System.setProperty(KafkaBrokers.PROPERTY, "In-Process");
    try (KafkaBroker broker = KafkaBrokers.start()) {
      assertThat(broker).isInstanceOf(InProcessKafkaBroker.class);
      assertThat(broker.describe()).startsWith("in-process KRaft broker");
    }
  }
}
