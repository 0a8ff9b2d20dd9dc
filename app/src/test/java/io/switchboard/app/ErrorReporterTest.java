package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Every command ends an expected error with one line naming the file, path and problem, and exit 2;
 * a bug prints its stack trace and exits 1. Run through picocli with captured output, as {@code
 * ./switchboard} runs.
 */
class ErrorReporterTest {
  @TempDir Path dir;

  /** What a run printed and returned. */
  record Run(int exit, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  static Run run(CommandLine cli, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  static Run run(String... args) {
    return run(Main.commandLine(), args);
  }

  static void assertOneLine(Run run, String expected) {
    assertThat(run.exit()).as(run.err()).isEqualTo(2);
    assertThat(run.errLines()).as(run.err()).containsExactly(expected);
    assertThat(run.out()).isEmpty();
  }

  @Test
  void aMissingConfigFileIsOneLineNamingItAndExitTwo() {
    Run run = run("router", "--config", "missing.yaml");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.errLines()).as(run.err()).hasSize(1);
    assertThat(run.errLines().get(0))
        .startsWith("switchboard router: missing.yaml: cannot read")
        .doesNotContain("Exception");
    Map<String, List<String>> others =
        Map.of(
            "worker", List.of("--config", "missing.yaml"),
            "topics", List.of("--config", "missing.yaml"),
            "stats", List.of("--config", "missing.yaml", "--once"),
            "submit", List.of("--config", "missing.yaml", "--model", "m", "hi"),
            "batch",
                List.of(
                    "--config", "missing.yaml", "--input", "in.jsonl", "--output", "out.jsonl"));
    others.forEach(
        (command, args) -> {
          List<String> all = new ArrayList<>(List.of(command));
          all.addAll(args);
          Run other = run(all.toArray(String[]::new));
          assertThat(other.exit()).as(command).isEqualTo(2);
          assertThat(other.errLines())
              .as(command)
              .hasSize(1)
              .allMatch(
                  l -> l.startsWith("switchboard " + command + ": missing.yaml: cannot read"));
        });
  }

  @Test
  void verbosePrintsTheStackTraceOfAnExpectedErrorBeforeOrAfterTheCommandName() {
    for (Run run :
        List.of(
            run("router", "--config", "missing.yaml", "--verbose"),
            run("--verbose", "router", "--config", "missing.yaml"))) {
      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.errLines().get(0)).startsWith("switchboard router: missing.yaml: cannot read");
      assertThat(run.err())
          .contains("io.switchboard.schemas.config.ConfigException")
          .contains("\tat ");
    }
  }

  @Test
  void anInvalidConfigIsOneLineNamingTheFileAndEveryPath() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(
        config,
        "model_list:\n  - model_name: chat\n    provider: nowhere\nrouter_settings:\n  nope: 1\n");
    Run run = run("worker", "--config", config.toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.errLines()).as(run.err()).hasSize(1);
    assertThat(run.errLines().get(0))
        .startsWith("switchboard worker: " + config + ": invalid config: ")
        .contains("/model_list/0")
        .contains("/router_settings");
  }

  @Test
  void invalidOptionsAreOneLinePointingAtTheHelp() {
    assertOneLine(
        run("router", "--nope"),
        "switchboard router: Unknown option: '--nope' (see switchboard router --help)");
    assertOneLine(
        run("batch", "--input", "in.jsonl"),
        "switchboard batch: Missing required option: '--output=FILE' (see switchboard batch --help)");
    assertOneLine(
        run("batch", "--input", "a", "--output", "b", "--format", "csv"),
        "switchboard batch: Invalid value for option '--format': expected one of [OPENAI, ANTHROPIC] (case-insensitive)"
            + " but was 'csv' (see switchboard batch --help)");
    assertOneLine(
        run("no-such-command"),
        "switchboard: Unmatched argument at index 0: 'no-such-command'"
            + " (see switchboard --help)");
    assertOneLine(
        run("stats", "--once"),
        "switchboard stats: no Kafka cluster given: pass --bootstrap=HOST:PORT,"
            + " a --config=FILE with kafka.bootstrap.servers, or set SWITCHBOARD_KAFKA_BOOTSTRAP_SERVERS"
            + " (see switchboard stats --help)");
  }

  @Test
  void theClientLibrarysTypedErrorsAreOneLineNamingTheFlag() throws Exception {
    assertOneLine(
        run(
            "batch",
            "--bootstrap",
            "127.0.0.1:1",
            "--input",
            "in.jsonl",
            "--output",
            "out.jsonl",
            "--max-in-flight",
            "0"),
        "switchboard batch: maxInFlight must be at least 1, was 0 (--max-in-flight)");
    assertOneLine(
        run("batch", "--bootstrap", "127.0.0.1:1", "--input", "in.jsonl", "--output", "in.jsonl"),
        "switchboard batch: output must be another file than the input, was in.jsonl (--output)");
    Path missing = dir.resolve("missing.jsonl");
    assertOneLine(
        run(
            "batch",
            "--bootstrap",
            "127.0.0.1:1",
            "--input",
            missing.toString(),
            "--output",
            dir.resolve("out.jsonl").toString()),
        "switchboard batch: input file " + missing + " does not exist or is not a file");
    assertOneLine(
        run("submit", "--bootstrap", "127.0.0.1:1", "--model", "a", "--group", "b", "hi"),
        "switchboard submit: model and group are exclusive: give one of them (--group)");
    assertOneLine(
        run("submit", "--bootstrap", "127.0.0.1:1", "--model", "a"),
        "switchboard submit: give either a prompt or a request file (one of them) (PROMPT)");
    Path request = dir.resolve("request.json");
    assertOneLine(
        run("submit", "--bootstrap", "127.0.0.1:1", "--model", "a", "--file", request.toString()),
        "switchboard submit: " + request + ": no such file (--file)");
    assertOneLine(
        run("submit", "--bootstrap", "127.0.0.1:1", "--timeout", "0", "--model", "a", "hi"),
        "switchboard submit: timeout must be positive, was PT0S (--timeout)");
  }

  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new NullPointerException("a bug");
    }
  }

  @Test
  void aBugPrintsItsStackTraceAndExitsOne() {
    Run run = run(Main.commandLine(List.of(new Boom())), "boom");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.errLines().get(0))
        .isEqualTo(
            "switchboard boom: unexpected error (a bug): java.lang.NullPointerException: a bug");
    assertThat(run.err()).contains("\tat io.switchboard.app.ErrorReporterTest$Boom.call");
  }

  @Test
  void aListUnderAHeadingBecomesOneLine() {
    assertThat(ErrorReporter.oneLine("f.yaml: invalid config:\n  /a: bad\n  /b: worse\n"))
        .isEqualTo("f.yaml: invalid config: /a: bad; /b: worse");
    assertThat(ErrorReporter.oneLine("one line")).isEqualTo("one line");
  }
}
