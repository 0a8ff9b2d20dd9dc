package io.switchboard.client.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.batch.internal.BatchLine;
import io.switchboard.client.batch.internal.InvalidLineException;
import io.switchboard.client.batch.internal.LineFormat;
import io.switchboard.client.testing.BatchFiles;
import io.switchboard.client.testing.Responder;
import io.switchboard.client.testing.TestKafka;
import io.switchboard.schemas.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class AnthropicFormatIT {
  @TempDir Path dir;

  static String line(String customId, String prompt) {
    return "{\"custom_id\":\""
        + customId
        + "\",\"params\":{\"model\":\"claude-haiku\",\"max_tokens\":64,"
        + "\"system\":[{\"type\":\"text\",\"text\":\"Be brief.\"}],\"stop_sequences\":[\"END\"],"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"},{\"role\":\"assistant\",\"content\":\"Hi\"},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\""
        + prompt
        + "\"}]}]}}";
  }

  @Test
  void paramsBecomeAnOpenAiBodyWithTheSystemPromptFirst() throws Exception {
    BatchLine parsed = LineFormat.of(BatchFormat.ANTHROPIC, false).parse(line("a", "Tell me"));
    assertThat(parsed.customId()).isEqualTo("a");
    assertThat(parsed.model()).isEqualTo("claude-haiku");
    assertThat(parsed.body())
        .isEqualTo(
            Json.parse(
                "{\"model\":\"claude-haiku\",\"messages\":["
                    + "{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hello\"},"
                    + "{\"role\":\"assistant\",\"content\":\"Hi\"},{\"role\":\"user\",\"content\":\"Tell me\"}],"
                    + "\"max_tokens\":64,\"stop\":[\"END\"]}"));
  }

  @Test
  void imagesBecomeDataUrlPartsAndUnsupportedParamsAreRefused() throws Exception {
    LineFormat format = LineFormat.of(BatchFormat.ANTHROPIC, true);
    BatchLine parsed =
        format.parse(
            "{\"custom_id\":\"i\",\"params\":{\"max_tokens\":5,\"messages\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"AAA\"}},"
                + "{\"type\":\"text\",\"text\":\"what is it\"}]}]}}");
    assertThat(parsed.body().at("/messages/0/content/0/image_url/url").asText())
        .isEqualTo("data:image/png;base64,AAA");
    assertThat(parsed.body().at("/messages/0/content/1/text").asText()).isEqualTo("what is it");
    assertThat(parsed.model()).isNull();
    assertThatThrownBy(
            () ->
                format.parse(
                    "{\"custom_id\":\"t\",\"params\":{\"max_tokens\":5,\"tools\":[],"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}"))
        .isInstanceOf(InvalidLineException.class)
        .hasMessageContaining("params.tools is not supported");
    assertThatThrownBy(
            () ->
                format.parse(
                    "{\"custom_id\":\"t\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}"))
        .isInstanceOf(InvalidLineException.class)
        .hasMessage("params.max_tokens must be a positive integer");
    assertThatThrownBy(
            () ->
                LineFormat.of(BatchFormat.ANTHROPIC, false)
                    .parse(
                        "{\"custom_id\":\"t\",\"params\":{\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}"))
        .isInstanceOf(InvalidLineException.class)
        .hasMessageContaining("params.model is missing");
  }

  @Test
  void topKIsPassedOnAndUnknownMetadataIsRefusedByName() throws Exception {
    LineFormat format = LineFormat.of(BatchFormat.ANTHROPIC, true);
    BatchLine parsed =
        format.parse(
            "{\"custom_id\":\"k\",\"params\":{\"max_tokens\":5,\"top_k\":40,\"top_p\":0.9,"
                + "\"metadata\":{\"user_id\":\"u-7\"},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}");
    assertThat(parsed.body().get("top_k").asInt()).isEqualTo(40);
    assertThat(parsed.body().get("top_p").asDouble()).isEqualTo(0.9);
    assertThat(parsed.body().get("user").asText()).isEqualTo("u-7");
    assertThatThrownBy(
            () ->
                format.parse(
                    "{\"custom_id\":\"k\",\"params\":{\"max_tokens\":5,\"top_k\":\"many\","
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}"))
        .isInstanceOf(InvalidLineException.class)
        .hasMessage("params.top_k must be a positive integer, was \"many\"");
    assertThatThrownBy(
            () ->
                format.parse(
                    "{\"custom_id\":\"k\",\"params\":{\"max_tokens\":5,"
                        + "\"metadata\":{\"user_id\":\"u\",\"team\":\"t\"},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}"))
        .isInstanceOf(InvalidLineException.class)
        .hasMessage(
            "params.metadata.team is not supported by --format anthropic (supported: user_id); remove it from the line");
  }

  @Test
  void refusedParamsAreReportedWithTheirLineAndFieldAndNothingIsSent() throws Exception {
    Path input = dir.resolve("in.jsonl");
    Files.write(
        input,
        List.of(
            line("a", "fine"),
            "{\"custom_id\":\"b\",\"params\":{\"model\":\"m\",\"max_tokens\":5,\"tools\":[],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}",
            "{\"custom_id\":\"c\",\"params\":{\"model\":\"m\",\"max_tokens\":5,\"thinking\":{\"type\":\"enabled\"},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}"));
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    BatchStatus status =
        new BatchRunner(
                TestKafka.connection("127.0.0.1:1", "unused"),
                BatchOptions.builder(input, dir.resolve("out.jsonl"))
                    .format(BatchFormat.ANTHROPIC)
                    .terminal(false)
                    .build(),
                err,
                err,
                Clock.systemUTC())
            .run()
            .status();
    assertThat(status).isEqualTo(BatchStatus.INVALID_INPUT);
    assertThat(errBytes.toString(StandardCharsets.UTF_8))
        .contains(
            "2 invalid lines",
            "line 2: params.tools is not supported by --format anthropic",
            "line 3: params.thinking is not supported by --format anthropic",
            "remove it from the line",
            "nothing was sent");
    assertThat(dir.resolve("out.jsonl")).doesNotExist();
  }

  @Test
  void aSkippedLineIsWrittenAsAnErroredResultNamingItsLine() {
    ObjectNode out =
        LineFormat.of(BatchFormat.ANTHROPIC, true)
            .invalidOutput(7, "x", "params.tools is not supported");
    assertThat(Json.toString(out))
        .isEqualTo(
            ("{\"custom_id\":\"x\",\"result\":{\"type\":\"errored\",\"error\":{"
                + "\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":"
                + "\"line 7: params.tools is not supported\"}}},\"line\":7}"));
  }

  @Test
  void anAnthropicBatchRoundTripsThroughKafka() throws Exception {
    ConnectionSettings conn = TestKafka.freshConnection();
    Path input =
        BatchFiles.write(
            dir.resolve("in.jsonl"),
            40,
            i ->
                line(
                    "m-" + i,
                    i % 10 == 1 ? "q" + i + " [fail]" : i == 2 ? "q2 [expire]" : "q" + i));
    Path output = dir.resolve("out.jsonl");
    BatchResult result;
    try (Responder responder = new Responder(conn)) {
      PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
      result =
          new BatchRunner(
                  conn,
                  BatchOptions.builder(input, output)
                      .format(BatchFormat.ANTHROPIC)
                      .terminal(false)
                      .build(),
                  quiet,
                  quiet,
                  Clock.systemUTC())
              .run();
    }
    assertThat(result.status()).isEqualTo(BatchStatus.FAILURES);
    List<JsonNode> lines = BatchFiles.read(output);
    Map<String, JsonNode> byId =
        lines.stream()
            .collect(Collectors.toMap(l -> l.get("custom_id").asText(), Function.identity()));
    assertThat(byId).hasSize(40);
    JsonNode ok = byId.get("m-0").get("result");
    assertThat(ok.get("type").asText()).isEqualTo("succeeded");
    JsonNode message = ok.get("message");
    assertThat(message.get("type").asText()).isEqualTo("message");
    assertThat(message.get("role").asText()).isEqualTo("assistant");
    assertThat(message.at("/content/0/type").asText()).isEqualTo("text");
    assertThat(message.at("/content/0/text").asText()).isEqualTo("echo: q0");
    assertThat(message.get("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(message.at("/usage/input_tokens").asInt()).isEqualTo(10);
    assertThat(message.at("/usage/output_tokens").asInt()).isEqualTo(5);
    JsonNode failed = byId.get("m-11").get("result");
    assertThat(failed.get("type").asText()).isEqualTo("errored");
    assertThat(failed.get("error"))
        .as("an Anthropic error response")
        .isEqualTo(
            Json.parse(
                "{\"type\":\"error\","
                    + "\"error\":{\"type\":\"invalid_request_error\",\"message\":"
                    + Json.toString(failed.at("/error/error/message"))
                    + "}}"));
    assertThat(failed.at("/error/error/message").asText()).contains("injected failure");
    assertThat(byId.get("m-2").get("result")).isEqualTo(Json.parse("{\"type\":\"expired\"}"));
    assertThat(byId.get("m-2").at("/switchboard/status").asText()).isEqualTo("expired");
  }
}
