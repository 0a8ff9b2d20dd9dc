package io.switchboard.client.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.testing.Responder;
import io.switchboard.client.testing.TestKafka;
import io.switchboard.schemas.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class SubmitRunnerTest {
  @TempDir Path dir;

  final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  static SubmitOptions prompt(String text) {
    return new SubmitOptions(text, null, "echo", null, Duration.ofSeconds(60), "submit-test");
  }

  @Test
  void anOkReplyIsPrintedAsPrettyJsonWithExitZeroAndAnErrorReplyExitsOne() throws Exception {
    ConnectionSettings conn = TestKafka.freshConnection();
    try (Responder responder = new Responder(conn)) {
      assertThat(SubmitRunner.run(conn, prompt("hello there"), out, err)).isEqualTo(SubmitRunner.EXIT_OK);
      String printed = outBytes.toString(StandardCharsets.UTF_8);
      assertThat(printed).contains("\n  \"status\" : \"ok\"");
      assertThat(Json.parse(printed).at("/response/choices/0/message/content").asText()).isEqualTo("echo: hello there");

      outBytes.reset();
      assertThat(SubmitRunner.run(conn, prompt("please [fail]"), out, err)).isEqualTo(SubmitRunner.EXIT_ERROR);
      assertThat(Json.parse(outBytes.toString(StandardCharsets.UTF_8)).at("/error/code").asText())
          .isEqualTo("provider_error");

      Path file = dir.resolve("request.json");
      Files.writeString(file, "{\"model\":\"echo\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"from a file\"}]},"
          + "\"metadata\":{\"k\":\"v\"}}");
      outBytes.reset();
      assertThat(SubmitRunner.run(conn, new SubmitOptions(null, file, null, null, Duration.ofSeconds(60), "submit-test"),
          out, err)).isEqualTo(SubmitRunner.EXIT_OK);
      assertThat(Json.parse(outBytes.toString(StandardCharsets.UTF_8)).at("/metadata/k").asText()).isEqualTo("v");
    }
  }

  @Test
  void badInputExitsTwoWithAClearMessageAndSendsNothing() throws Exception {
    ConnectionSettings conn = TestKafka.freshConnection();
    Path notJson = dir.resolve("bad.json");
    Files.writeString(notJson, "{oops");
    Path noMessages = dir.resolve("empty.json");
    Files.writeString(noMessages, "{\"temperature\":1}");
    assertThat(SubmitRunner.run(conn, new SubmitOptions(null, null, "echo", null, Duration.ofSeconds(5), null), out, err))
        .isEqualTo(SubmitRunner.EXIT_BAD_INPUT);
    assertThat(SubmitRunner.run(conn, new SubmitOptions("hi", null, null, null, Duration.ofSeconds(5), null), out, err))
        .isEqualTo(SubmitRunner.EXIT_BAD_INPUT);
    assertThat(SubmitRunner.run(conn, new SubmitOptions(null, notJson, "echo", null, Duration.ofSeconds(5), null), out,
        err)).isEqualTo(SubmitRunner.EXIT_BAD_INPUT);
    assertThat(SubmitRunner.run(conn, new SubmitOptions(null, noMessages, "echo", null, Duration.ofSeconds(5), null), out,
        err)).isEqualTo(SubmitRunner.EXIT_BAD_INPUT);
    assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains(
        "give either a prompt or --file request.json",
        "no model: pass --model or --group",
        "bad.json: not valid JSON",
        "empty.json: needs \"messages\"");
    assertThat(TestKafka.recordCount(conn.topics().requests())).isZero();
  }

  @Test
  void noReplyInTimeExitsOneNamingTheRequest() {
    ConnectionSettings conn = TestKafka.freshConnection();
    int exit = SubmitRunner.run(conn, new SubmitOptions("[silent]", null, "echo", null, Duration.ofMillis(500), "slow"),
        out, err);
    assertThat(exit).isEqualTo(SubmitRunner.EXIT_ERROR);
    assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("no reply to request 'submit-");
  }
}
