package io.switchboard.client.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.testing.BatchFiles;
import io.switchboard.client.testing.Responder;
import io.switchboard.client.testing.TestKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class BatchRunnerIT {
  @TempDir Path dir;

  final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  static String prompt(int i) {
    return i % 13 == 5
        ? "line " + i + " [fail]"
        : i % 101 == 7 ? "line " + i + " [expire]" : "line " + i;
  }

  @Test
  void tenThousandLinesWithInjectedFailuresAreEachAnsweredExactlyOnce() throws Exception {
    ConnectionSettings conn = TestKafka.freshConnection();
    Path input =
        BatchFiles.write(
            dir.resolve("in.jsonl"), 10_000, i -> BatchFiles.openAiLine("id-" + i, prompt(i)));
    Path output = dir.resolve("out.jsonl");
    Path errors = dir.resolve("err.jsonl");
    BatchResult result;
    try (Responder responder = new Responder(conn)) {
      responder.duplicateReplies(true);
      result =
          new BatchRunner(
                  conn,
                  BatchOptions.builder(input, output)
                      .errors(errors)
                      .maxInFlight(500)
                      .terminal(false)
                      .progressInterval(Duration.ofSeconds(1))
                      .build(),
                  out,
                  err,
                  Clock.systemUTC())
              .run();
    }
    long failing = IntStream.range(0, 10_000).filter(i -> prompt(i).contains("[")).count();
    assertThat(result.status()).as("%s%n%s", result, err()).isEqualTo(BatchStatus.FAILURES);
    assertThat(result.valid()).isEqualTo(10_000);
    assertThat(result.answered()).isEqualTo(10_000);
    assertThat(result.unanswered()).isZero();
    assertThat(result.failed()).isEqualTo(failing);
    assertThat(result.sent()).isEqualTo(10_000);
    assertThat(TestKafka.recordCount(conn.topics().requests())).isEqualTo(10_000);

    List<JsonNode> lines = BatchFiles.read(output);
    assertThat(lines).hasSize(10_000);
    Map<String, JsonNode> byId =
        lines.stream()
            .collect(Collectors.toMap(l -> l.get("custom_id").asText(), Function.identity()));
    assertThat(byId).hasSize(10_000);
    String batchId = BatchRunner.batchId(output);
    for (int i = 0; i < 10_000; i++) {
      JsonNode line = byId.get("id-" + i);
      assertThat(line).as("custom id id-%d", i).isNotNull();
      assertThat(line.get("id").asText()).startsWith("batch_req_");
      assertThat(line.get("switchboard").get("model_name").asText())
          .isEqualTo(prompt(i).contains("[expire]") ? "null" : "echo");
      if (prompt(i).contains("[fail]")) {
        assertThat(line.at("/error/code").asText()).isEqualTo("provider_error");
        assertThat(line.at("/response/status_code").asInt()).isEqualTo(400);
        assertThat(line.at("/switchboard/status").asText()).isEqualTo("error");
      } else if (prompt(i).contains("[expire]")) {
        assertThat(line.get("response").isNull()).isTrue();
        assertThat(line.at("/error/code").asText()).isEqualTo("deadline_exceeded");
        assertThat(line.at("/switchboard/status").asText()).isEqualTo("expired");
      } else {
        assertThat(line.get("error").isNull()).isTrue();
        assertThat(line.at("/response/status_code").asInt()).isEqualTo(200);
        assertThat(line.at("/response/request_id").asText()).isEqualTo(batchId + ":id-" + i);
        assertThat(line.at("/response/body/choices/0/message/content").asText())
            .isEqualTo("echo: " + prompt(i));
        assertThat(line.at("/switchboard/tokens_in").asInt()).isEqualTo(10);
      }
    }
    List<JsonNode> errorLines = BatchFiles.read(errors);
    assertThat(errorLines).hasSize((int) failing);
    assertThat(errorLines.stream().map(l -> l.get("custom_id").asText()).distinct())
        .hasSize((int) failing);
    String summary = outBytes.toString(StandardCharsets.UTF_8);
    long expired = IntStream.range(0, 10_000).filter(i -> prompt(i).contains("[expire]")).count();
    long ok = 10_000 - failing;
    long echoFailed = failing - expired;
    // what the responder reported: 10 tokens in, 5 out and $0.001 per answered line, nothing for
    // failures
    assertThat(summary)
        .containsPattern(
            row("echo / echo-1", ok + echoFailed, ok, echoFailed, ok * 10, ok * 5, ok * 0.001));
    assertThat(summary).containsPattern(row("- / -", expired, 0, expired, 0, 0, 0));
    assertThat(summary)
        .containsPattern(row("total", 10_000, ok, failing, ok * 10, ok * 5, ok * 0.001));
    assertThat(err()).contains("batch: 10000/10000");
  }

  /** A summary row: model / deployment, requests, ok, failed, tokens in, tokens out, cost. */
  static String row(
      String key, long requests, long ok, long failed, long tokensIn, long tokensOut, double cost) {
    return "(?m)^"
        + Pattern.quote(key)
        + " +"
        + requests
        + " +"
        + ok
        + " +"
        + failed
        + " +"
        + tokensIn
        + " +"
        + tokensOut
        + " +"
        + Pattern.quote(String.format(Locale.ROOT, "%.6f", cost))
        + "$";
  }

  @Test
  void malformedLinesAreReportedByLineNumberAndNothingIsSent() throws Exception {
    ConnectionSettings conn = TestKafka.freshConnection();
    Path input = dir.resolve("in.jsonl");
    Files.write(
        input,
        List.of(
            BatchFiles.openAiLine("a", "hi"),
            BatchFiles.openAiLine("b", "hi"),
            "{not json",
            "",
            "{\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}",
            "{\"custom_id\":\"c\",\"method\":\"GET\",\"url\":\"/v1/chat/completions\",\"body\":{\"messages\":[1]}}",
            "{\"custom_id\":\"d\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{\"messages\":[1]}}",
            "{\"custom_id\":\"e\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":[]}",
            "{\"custom_id\":\"f\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\",\"messages\":[]}}",
            BatchFiles.openAiLine("a", "again"),
            "{\"custom_id\":\"\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"messages\":[1]}}",
            "{\"custom_id\":\"g\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}",
            BatchFiles.openAiLine("k".repeat(240), "too long an id")),
        StandardCharsets.UTF_8);
    Path output = dir.resolve("out.jsonl");
    BatchStatus status =
        new BatchRunner(
                conn,
                BatchOptions.builder(input, output).terminal(false).build(),
                out,
                err,
                Clock.systemUTC())
            .run()
            .status();

    assertThat(status).isEqualTo(BatchStatus.INVALID_INPUT);
    assertThat(err())
        .contains(
            "10 invalid lines",
            "line 3: not valid JSON",
            "line 5: custom_id is missing",
            "line 6: method must be \"POST\", was \"GET\"",
            "line 7: url must be \"/v1/chat/completions\", was \"/v1/embeddings\"",
            "line 8: body must be a JSON object, was array",
            "line 9: body.messages must be a non-empty array",
            "line 10: duplicate custom_id 'a' (first on line 1)",
            "line 11: custom_id must be a non-empty string",
            "line 12: body.model is missing; give it on the line or pass --model or --group",
            "line 13: custom_id has 240 characters; at most 239 fit in a request id",
            "nothing was sent");
    assertThat(err()).doesNotContain("line 1:").doesNotContain("line 2:").doesNotContain("line 4:");
    assertThat(output).doesNotExist();
    assertThat(TestKafka.recordCount(conn.topics().requests())).isZero();
  }

  @Test
  void errorsBeyondTheCapAreCounted() throws Exception {
    Path input =
        BatchFiles.write(
            dir.resolve("in.jsonl"),
            100,
            i -> i % 2 == 0 ? "oops" : BatchFiles.openAiLine("x" + i, "p"));
    BatchStatus status =
        new BatchRunner(
                TestKafka.connection("127.0.0.1:1", "unused"),
                BatchOptions.builder(input, dir.resolve("out.jsonl")).maxReportedErrors(5).build(),
                out,
                err,
                Clock.systemUTC())
            .run()
            .status();
    assertThat(status).isEqualTo(BatchStatus.INVALID_INPUT);
    assertThat(err())
        .contains(
            "50 invalid lines",
            "line 1: not valid JSON",
            "line 9: not valid JSON",
            "... and 45 more")
        .doesNotContain("line 11:");
  }

  @Test
  void skipInvalidSendsTheValidLinesAndWritesTheInvalidOnesToTheErrorsFile() throws Exception {
    ConnectionSettings conn = TestKafka.freshConnection();
    Path input =
        BatchFiles.write(
            dir.resolve("in.jsonl"),
            30,
            i ->
                i % 10 == 3
                    ? "{broken"
                    : i == 20
                        ? BatchFiles.openAiLine("id-0", "dup")
                        : BatchFiles.openAiLine("id-" + i, "p" + i));
    Path output = dir.resolve("out.jsonl");
    Path errors = dir.resolve("err.jsonl");
    BatchResult result;
    try (Responder responder = new Responder(conn)) {
      result =
          new BatchRunner(
                  conn,
                  BatchOptions.builder(input, output)
                      .errors(errors)
                      .skipInvalid(true)
                      .terminal(false)
                      .build(),
                  out,
                  err,
                  Clock.systemUTC())
              .run();
    }
    assertThat(result.status()).isEqualTo(BatchStatus.FAILURES);
    assertThat(result.invalid()).isEqualTo(4);
    assertThat(result.valid()).isEqualTo(26);
    assertThat(BatchFiles.read(output)).hasSize(26);
    assertThat(TestKafka.recordCount(conn.topics().requests())).isEqualTo(26);
    List<JsonNode> errorLines = BatchFiles.read(errors);
    assertThat(errorLines)
        .extracting(l -> l.get("line").asLong())
        .containsExactly(4L, 14L, 21L, 24L);
    assertThat(errorLines.get(2).at("/error/message").asText())
        .isEqualTo("line 21: duplicate custom_id 'id-0' (first on line 1)");
    assertThat(errorLines.get(2).get("custom_id").asText()).isEqualTo("id-0");
    Set<String> answered = new HashSet<>();
    BatchFiles.read(output).forEach(l -> answered.add(l.get("custom_id").asText()));
    assertThat(answered).hasSize(26).contains("id-0").doesNotContain("id-3");
  }
}
