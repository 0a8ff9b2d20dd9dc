package io.switchboard.client.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.InvalidOptionException;
import io.switchboard.client.testing.Responder;
import io.switchboard.client.testing.TestKafka;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class SubmitRunnerIT {
  @TempDir Path dir;

  static SubmitOptions prompt(String text) {
    return new SubmitOptions(text, null, "echo", null, Duration.ofSeconds(60), "submit-test");
  }

  @Test
  void anOkReplyAndAnErrorReplyAreReturnedAsTheyCame() throws Exception {
    ConnectionSettings conn = TestKafka.freshConnection();
    try (Responder responder = new Responder(conn)) {
      RouteReply ok = SubmitRunner.submit(conn, prompt("hello there"));
      assertThat(ok.status()).isEqualTo(ReplyStatus.OK);
      assertThat(Json.tree(ok).at("/response/choices/0/message/content").asText())
          .isEqualTo("echo: hello there");

      RouteReply failed = SubmitRunner.submit(conn, prompt("please [fail]"));
      assertThat(failed.status()).isEqualTo(ReplyStatus.ERROR);
      assertThat(Json.tree(failed).at("/error/code").asText()).isEqualTo("provider_error");

      Path file = dir.resolve("request.json");
      Files.writeString(
          file,
          "{\"model\":\"echo\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"from a file\"}]},"
              + "\"metadata\":{\"k\":\"v\"}}");
      RouteReply fromFile =
          SubmitRunner.submit(
              conn,
              new SubmitOptions(null, file, null, null, Duration.ofSeconds(60), "submit-test"));
      assertThat(fromFile.status()).isEqualTo(ReplyStatus.OK);
      assertThat(Json.tree(fromFile).at("/metadata/k").asText()).isEqualTo("v");
    }
  }

  @Test
  void badInputThrowsNamingTheOptionAndSendsNothing() throws Exception {
    ConnectionSettings conn = TestKafka.freshConnection();
    Path notJson = dir.resolve("bad.json");
    Files.writeString(notJson, "{oops");
    Path noMessages = dir.resolve("empty.json");
    Files.writeString(noMessages, "{\"temperature\":1}");
    assertThatThrownBy(
            () -> new SubmitOptions(null, null, "echo", null, Duration.ofSeconds(5), null))
        .isInstanceOf(InvalidOptionException.class)
        .hasMessageContaining("give either a prompt or a request file")
        .extracting(e -> ((InvalidOptionException) e).field())
        .isEqualTo("prompt");
    assertThatThrownBy(() -> new SubmitOptions("hi", null, "m", "g", Duration.ofSeconds(5), null))
        .isInstanceOf(InvalidOptionException.class)
        .hasMessage("model and group are exclusive: give one of them");
    assertThatThrownBy(() -> new SubmitOptions("hi", null, "m", null, Duration.ZERO, null))
        .isInstanceOf(InvalidOptionException.class)
        .hasMessage("timeout must be positive, was PT0S");
    assertThatThrownBy(
            () ->
                SubmitRunner.submit(
                    conn, new SubmitOptions("hi", null, null, null, Duration.ofSeconds(5), null)))
        .isInstanceOf(InvalidOptionException.class)
        .hasMessageContaining("no model: give a model or a group");
    assertThatThrownBy(
            () ->
                SubmitRunner.submit(
                    conn,
                    new SubmitOptions(null, notJson, "echo", null, Duration.ofSeconds(5), null)))
        .isInstanceOf(InvalidOptionException.class)
        .hasMessageContaining("bad.json: not valid JSON");
    assertThatThrownBy(
            () ->
                SubmitRunner.submit(
                    conn,
                    new SubmitOptions(null, noMessages, "echo", null, Duration.ofSeconds(5), null)))
        .isInstanceOf(InvalidOptionException.class)
        .hasMessageContaining("empty.json: needs \"messages\"");
    assertThat(TestKafka.recordCount(conn.topics().requests())).isZero();
  }

  @Test
  void noReplyInTimeFailsWithATimeoutNamingTheRequest() {
    ConnectionSettings conn = TestKafka.freshConnection();
    assertThatThrownBy(
            () ->
                SubmitRunner.submit(
                    conn,
                    new SubmitOptions(
                        "[silent]", null, "echo", null, Duration.ofMillis(500), "slow")))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("no reply to request 'submit-");
  }
}
