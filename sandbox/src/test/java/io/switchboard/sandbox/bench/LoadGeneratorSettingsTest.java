package io.switchboard.sandbox.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The load generator's producer: the config's Kafka settings, unless --load-linger-ms says. */
class LoadGeneratorSettingsTest {
  @Test
  void lingerComesFromTheFlagThenTheConfigThenKafkasDefault() {
    assertThat(LoadGenerator.producerSettings(Map.of(), null)).containsEntry("linger.ms", "5");
    assertThat(LoadGenerator.producerSettings(Map.of("linger.ms", "0"), null))
        .containsEntry("linger.ms", "0");
    assertThat(LoadGenerator.producerSettings(Map.of("linger.ms", "0"), 5))
        .containsEntry("linger.ms", "5");
  }

  @Test
  void theConfigsOtherSettingsAreKeptAndEveryRecordIsAcknowledgedByAll() {
    assertThat(
            LoadGenerator.producerSettings(
                Map.of("bootstrap.servers", "127.0.0.1:9092", "acks", "1"), 2))
        .containsEntry("bootstrap.servers", "127.0.0.1:9092")
        .containsEntry("acks", "all")
        .containsEntry("linger.ms", "2");
  }
}
