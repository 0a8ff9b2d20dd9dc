package io.switchboard.router.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class StreamsRunTest {
  @TempDir Path tmp;

  KafkaStreams streams() {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream("in").to("out");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "streams-run-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
    props.put(StreamsConfig.STATE_DIR_CONFIG, tmp.toString());
    return new KafkaStreams(builder.build(), props);
  }

  @Test
  void awaitRunningGivesUpAfterTheTimeoutNamingTheApplicationAndItsState() {
    try (KafkaStreams notStarted = streams()) {
      StreamsRun run = new StreamsRun(notStarted, "router", GroupMembershipOperation.LEAVE_GROUP);
      long start = System.nanoTime();
      assertThatThrownBy(() -> run.awaitRunning(Duration.ofMillis(200)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("router not RUNNING after PT0.2S (state CREATED)");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }
  }

  @Test
  void awaitRunningThrowsAtOnceForAnApplicationThatStopped() {
    try (KafkaStreams stopped = streams()) {
      StreamsRun run = new StreamsRun(stopped, "router", GroupMembershipOperation.LEAVE_GROUP);
      stopped.close();
      long start = System.nanoTime();
      assertThatThrownBy(() -> run.awaitRunning(Duration.ofSeconds(30)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("router stopped before it ran (state NOT_RUNNING)");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }
}
