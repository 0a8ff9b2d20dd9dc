package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The sandbox's commands meet a person as the production ones do (app's {@code CommandLineTest}):
 * whole help ({@code $${MOCK_URL}} is not a picocli variable), a one-line summary in {@code
 * switchboard --help}, and the version.
 */
class SandboxCommandLineTest {
  static final List<String> SANDBOX_COMMANDS = List.of("demo", "dev", "bench", "mock-provider");

  /** Standard output of the sandbox's command line run with {@code args}, which must exit 0. */
  static String out(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = SandboxMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(new StringWriter(), true));
    assertThat(cli.execute(args)).as(String.join(" ", args)).isZero();
    return out.toString();
  }

  @Test
  void everySandboxCommandHasAWholeHelpAOneLineSummaryAndTheVersion() {
    List<String> overview = out("--help").lines().map(String::strip).toList();
    for (String name : SANDBOX_COMMANDS) {
      String[] header =
          SandboxMain.commandLine()
              .getSubcommands()
              .get(name)
              .getCommandSpec()
              .usageMessage()
              .header();
      assertThat(header).as(name).hasSize(1);
      assertThat(overview)
          .as("switchboard --help lists %s with its whole summary", name)
          .anyMatch(l -> l.startsWith(name + " ") && l.endsWith(header[0]));
      assertThat(out(name, "--help")).as(name).doesNotContain("null");
      for (String flag : List.of("--version", "-V")) {
        assertThat(out(name, flag).lines().toList())
            .as(name + " " + flag)
            .hasSize(2)
            .contains("Kafka " + AppInfoParser.getVersion())
            .first()
            .asString()
            .startsWith("switchboard ");
      }
    }
    assertThat(out("dev", "--help"))
        .contains("${MOCK_URL} in it is the mock provider")
        .contains("--metrics-port");
    assertThat(out("bench", "--help")).contains("${MOCK_URL} in it is the mock provider");
  }

  @Test
  void benchRefusesAClusterTimeoutBelowOneSecond() {
    StringWriter err = new StringWriter();
    CommandLine cli = SandboxMain.commandLine();
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));
    assertThat(
            cli.execute(
                "bench", "--bootstrap-servers", "127.0.0.1:9", "--cluster-timeout-seconds", "0"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--cluster-timeout-seconds must be 1 or more, not 0");
  }

  @Test
  void benchWithHttp2RefusesAConfigThatAsksForHttp1(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("http1.yaml");
    Files.writeString(
        config,
        """
        model_list:
          - {model_name: chat, provider: openai_compatible, api_base: "${MOCK_URL}/v1"}
        worker_settings: {http_version: http1}
        """);
    StringWriter err = new StringWriter();
    CommandLine cli = SandboxMain.commandLine();
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));
    int exit =
        cli.execute(
            "bench",
            "--http2",
            "--config",
            config.toString(),
            "--warmup-seconds",
            "0",
            "--duration-seconds",
            "1",
            "--drain-seconds",
            "1",
            "--no-baseline");
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--http2").contains("worker_settings.http_version: http1");
  }
}
