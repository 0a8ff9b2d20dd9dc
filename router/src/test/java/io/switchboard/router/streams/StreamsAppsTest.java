package io.switchboard.router.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class StreamsAppsTest {
  @TempDir Path tmp;

  static SwitchboardConfig config(String routerSettings) {
    return new ConfigLoader(k -> null)
        .parse(
            """
        model_list:
          - {model_name: chat}
        """
                + routerSettings,
            "test");
  }

  @Test
  void stateDirIsTheConfiguredOneWhenSet() {
    String configured = tmp.resolve("router-state").toString();
    assertThat(
            StreamsApps.stateDir(
                config("router_settings: {state_dir: " + configured + "}\n"), "switchboard-x-"))
        .isEqualTo(configured);
    assertThat(tmp.resolve("router-state")).doesNotExist();
  }

  @Test
  void stateDirIsANewTemporaryDirectoryNamedByThePrefixOtherwise() throws Exception {
    Path dir = Path.of(StreamsApps.stateDir(config(""), "switchboard-metrics-"));
    try {
      assertThat(dir).isDirectory();
      assertThat(dir.getFileName().toString()).startsWith("switchboard-metrics-");
      assertThat(Path.of(StreamsApps.stateDir(config(""), "switchboard-metrics-")))
          .isNotEqualTo(dir);
    } finally {
      Files.deleteIfExists(dir);
    }
  }

  @Test
  void awaitRunningGivesUpAfterTheTimeoutNamingTheApplicationAndItsState() {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream("in").to("out");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "streams-apps-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
    props.put(StreamsConfig.STATE_DIR_CONFIG, tmp.toString());
    try (KafkaStreams notStarted = new KafkaStreams(builder.build(), props)) {
      long start = System.nanoTime();
      assertThatThrownBy(
              () -> StreamsApps.awaitRunning(notStarted, "router", Duration.ofMillis(200)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("router not RUNNING after PT0.2S (state CREATED)");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }
  }
}
