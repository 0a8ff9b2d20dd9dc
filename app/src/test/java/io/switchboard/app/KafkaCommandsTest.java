package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.app.ErrorReporterTest.Run;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How every command that talks to Kafka meets a cluster that is not there, and the processes a
 * metrics port that is taken: one line each, with an exit code of its own, and soon. Nothing
 * listens on port 1 of 127.0.0.1, so no broker is needed.
 */
class KafkaCommandsTest {
  static final String NOWHERE = "127.0.0.1:1";

  @TempDir Path dir;

  Path config() throws Exception {
    Path config = dir.resolve("switchboard.yaml");
    Files.writeString(
        config,
        """
        model_list:
          - model_name: chat
            deployment_id: chat-a
            provider: openai_compatible
            model: m
            api_base: http://127.0.0.1:1/v1
        """);
    return config;
  }

  /**
   * The arguments of {@code command} besides the Kafka options: what it needs to get as far as
   * Kafka.
   */
  List<String> args(String command) throws Exception {
    return switch (command) {
      case "router" ->
          List.of("--config", config().toString(), "--metrics-port", "-1", "--no-aggregator");
      case "worker" -> List.of("--config", config().toString(), "--metrics-port", "-1");
      case "topics" -> List.of("--config", config().toString());
      case "batch" -> {
        Path input = dir.resolve("in.jsonl");
        Files.writeString(
            input,
            """
            {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "chat", \
            "messages": [{"role": "user", "content": "Hi"}]}}
            """);
        yield List.of(
            "--input",
            input.toString(),
            "--output",
            dir.resolve("out.jsonl").toString(),
            "--progress",
            "none");
      }
      case "submit" -> List.of("--model", "chat", "Hi");
      case "stats" -> List.of("--once");
      default -> throw new IllegalArgumentException(command);
    };
  }

  static Run run(String command, List<String> args, String... more) {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(args);
    all.addAll(List.of(more));
    return ErrorReporterTest.run(all.toArray(String[]::new));
  }

  @ParameterizedTest
  @ValueSource(strings = {"router", "worker", "topics", "batch", "submit", "stats"})
  @Timeout(60)
  void anUnreachableClusterIsOneLineAndExitFourWithinTheConnectTimeout(String command)
      throws Exception {
    long start = System.nanoTime();
    Run run = run(command, args(command), "--bootstrap", NOWHERE, "--connect-timeout", "2");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(run.exit()).as(run.err()).isEqualTo(ErrorReporter.EXIT_UNREACHABLE);
    assertThat(run.errLines())
        .as(run.err())
        .containsExactly(
            "switchboard "
                + command
                + ": cannot reach the Kafka"
                + " cluster at "
                + NOWHERE
                + " within 2 s (is bootstrap.servers right, and the cluster up? --connect-timeout"
                + " waits longer)");
    assertThat(run.out()).isEmpty();
    assertThat(took).as("how long %s waited", command).isLessThan(Duration.ofSeconds(20));
  }

  @ParameterizedTest
  @ValueSource(strings = {"batch", "submit", "stats"})
  void withoutAConfigOrABootstrapAddressTheCommandAsksForOne(String command) throws Exception {
    ErrorReporterTest.assertOneLine(
        run(command, args(command)),
        "switchboard "
            + command
            + ": no Kafka cluster given:"
            + " pass --bootstrap=HOST:PORT, a --config=FILE with kafka.bootstrap.servers, or set"
            + " SWITCHBOARD_KAFKA_BOOTSTRAP_SERVERS (see switchboard "
            + command
            + " --help)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"router", "worker"})
  void aTakenMetricsPortIsOneLineAndExitTwoBeforeAnythingConnects(String command) throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("0.0.0.0", 0));
      List<String> args = new ArrayList<>(args(command));
      args.set(args.indexOf("--metrics-port") + 1, String.valueOf(taken.getLocalPort()));
      Run run = run(command, args, "--bootstrap", NOWHERE);
      assertThat(run.exit()).as(run.err()).isEqualTo(ErrorReporter.EXIT_USAGE);
      assertThat(run.errLines())
          .as(run.err())
          .hasSize(1)
          .first()
          .asString()
          .startsWith(
              "switchboard "
                  + command
                  + ": cannot serve metrics on 0.0.0.0:"
                  + taken.getLocalPort()
                  + " (")
          .endsWith(
              "choose another port with --metrics-port, SWITCHBOARD_METRICS_PORT or observability.port: 0 for"
                  + " any free one, -1 for none");
    }
  }

  @Test
  @Timeout(30)
  void configCheckNeedsNoCluster() throws Exception {
    Path config = dir.resolve("offline.yaml");
    Files.writeString(
        config, Files.readString(config()) + "kafka:\n  bootstrap.servers: " + NOWHERE + "\n");
    long start = System.nanoTime();
    Run run = ErrorReporterTest.run("config", "check", "--config", config.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("OK: 1 deployment");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void aLiteralApiKeyIsRefusedWithWhatToWriteAndWhyWithoutShowingIt() throws Exception {
    String key = "sk-live-0123456789abcdef";
    Path config = dir.resolve("literal.yaml");
    Files.writeString(config, Files.readString(config()) + "    api_key: " + key + "\n");
    Run run = ErrorReporterTest.run("config", "check", "--config", config.toString());
    assertThat(run.exit()).isEqualTo(ErrorReporter.EXIT_USAGE);
    assertThat(run.errLines())
        .hasSize(1)
        .first()
        .asString()
        .contains("/model_list/0/api_key: a literal key (not shown) is not accepted")
        .contains("environment reference like ${OPENAI_API_KEY}")
        .contains("keys never sit in a config file")
        .doesNotContain(key)
        .doesNotContain("0123456789")
        .doesNotContain("regex");
  }
}
