package io.switchboard.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContainerKafkaBrokerTest {
  @Test
  void brokerPropertiesBecomeTheImagesEnvironmentVariables() {
    assertThat(ContainerKafkaBroker.environmentName("group.min.session.timeout.ms"))
        .isEqualTo("KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS");
    assertThat(ContainerKafkaBroker.environmentName("listener.name.sasl_plaintext.plain-x"))
        .isEqualTo("KAFKA_LISTENER_NAME_SASL__PLAINTEXT_PLAIN___X");
  }
}
