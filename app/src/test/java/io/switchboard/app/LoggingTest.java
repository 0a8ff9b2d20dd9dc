package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.process.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logging as an operator sets it, from outside the jar: JSON lines with {@code
 * SWITCHBOARD_LOG_FORMAT=json}, the level with {@code SWITCHBOARD_LOG_LEVEL}, {@code --quiet} and
 * {@code --verbose}. Each case runs the production main class in a JVM of its own (Log4j reads its
 * configuration once a process), on a command that logs while it waits for a cluster that is not
 * there.
 */
class LoggingTest {
  static final String CONNECTING = "connecting to the Kafka cluster at 127.0.0.1:1...";

  @TempDir Path dir;

  /**
   * {@code switchboard stats --bootstrap 127.0.0.1:1} in a child JVM; its standard output and
   * error.
   */
  List<String> run(Map<String, String> env, String... flags) throws Exception {
    ChildJvm.Builder b =
        ChildJvm.builder("io.switchboard.app.Main")
            .name("stats")
            .jvmArgs("-Xmx128m", "-XX:TieredStopAtLevel=1")
            .args("stats", "--once", "--bootstrap", "127.0.0.1:1", "--connect-timeout", "1")
            .args(flags)
            .withoutEnv(Logging.FORMAT_ENV)
            .withoutEnv(Logging.LEVEL_ENV)
            .log(Files.createTempFile(dir, "stats", ".log"));
    env.forEach(b::env);
    try (ChildJvm child = b.start()) {
      assertThat(child.awaitExit(Duration.ofSeconds(60)))
          .as(child.tail())
          .isEqualTo(ErrorReporter.EXIT_UNREACHABLE);
      return child.logLines();
    }
  }

  @Test
  @Timeout(120)
  void jsonLinesWithTheFormatSwitchAndTextWithout() throws Exception {
    List<String> json = run(Map.of(Logging.FORMAT_ENV, "json"));
    JsonNode connecting =
        json.stream()
            .filter(l -> l.startsWith("{") && l.contains(CONNECTING))
            .map(Json::parse)
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("no JSON line saying " + CONNECTING + "\n" + json));
    assertThat(connecting.path("message").asText()).isEqualTo(CONNECTING);
    assertThat(connecting.path("log.level").asText()).isEqualTo("INFO");
    assertThat(connecting.path("log.logger").asText()).isEqualTo(ClusterProbe.class.getName());
    assertThat(connecting.has("@timestamp")).isTrue();
    assertThat(json).filteredOn(l -> l.contains("INFO ")).isEmpty();

    List<String> text = run(Map.of());
    assertThat(text)
        .anyMatch(
            l ->
                l.matches(
                    "\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  ClusterProbe - "
                        + CONNECTING.replace(".", "\\.")));
    assertThat(text).noneMatch(l -> l.startsWith("{"));
  }

  @Test
  @Timeout(120)
  void theLevelComesFromTheFlagsThenTheEnvironment() throws Exception {
    assertThat(run(Map.of(Logging.LEVEL_ENV, "warn")))
        .noneMatch(l -> l.contains(CONNECTING))
        .anyMatch(l -> l.startsWith("switchboard stats: cannot reach the Kafka cluster"));
    assertThat(run(Map.of(), "--quiet")).noneMatch(l -> l.contains(CONNECTING));
    assertThat(run(Map.of(Logging.LEVEL_ENV, "warn"), "--verbose"))
        .anyMatch(l -> l.contains(CONNECTING));
  }

  @Test
  void aFormatOrLevelThatIsNoneIsNamed() {
    assertThat(Logging.problem(Map.of(Logging.FORMAT_ENV, "xml")))
        .contains("SWITCHBOARD_LOG_FORMAT: 'xml' is not a log format; use text or json");
    assertThat(Logging.problem(Map.of(Logging.LEVEL_ENV, "loud")))
        .contains(
            "SWITCHBOARD_LOG_LEVEL: 'loud' is not a log level; use trace, debug, info, warn or error");
    assertThat(Logging.problem(Map.of(Logging.FORMAT_ENV, "JSON", Logging.LEVEL_ENV, "Debug")))
        .isEmpty();
  }
}
