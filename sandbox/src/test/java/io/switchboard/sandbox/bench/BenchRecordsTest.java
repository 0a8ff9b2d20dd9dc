package io.switchboard.sandbox.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.ReplyError;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bench's pre-encoded requests and its one-pass reply reader agree with the mapping. */
class BenchRecordsTest {
  private static final ObjectNode BODY =
      (ObjectNode)
          Json.parse(
              "{\"messages\":[{\"role\":\"user\",\"content\":\"say \\\"hi\\\"\"}],\"max_tokens\":16}");

  @Test
  void aTemplatedRequestIsTheMappingsBytesOfTheSameRequest() {
    RequestTemplate template = new RequestTemplate("bench", BODY, LoadGenerator.SENT_AT);

    byte[] bytes = template.encode("bench-x1y2-17", "123456789");

    RouteRequest same =
        new RouteRequest(
            "bench-x1y2-17",
            "bench",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            Map.of(LoadGenerator.SENT_AT, "123456789"),
            null,
            BODY);
    assertThat(new String(bytes)).isEqualTo(new String(Json.toBytes(same)));
    assertThat(Json.read(bytes, RouteRequest.class)).isEqualTo(same);
  }

  @Test
  void valuesThatJsonWouldEscapeAreRefused() {
    RequestTemplate template = new RequestTemplate("bench", BODY, LoadGenerator.SENT_AT);

    assertThatThrownBy(() -> template.encode("a\"b", "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a\"b");
  }

  @Test
  void theOnePassReaderReadsWhatTheMappingWouldBind() throws Exception {
    Instant at = Instant.parse("2026-12-06T08:00:00.125Z");
    List<AttemptEvent> attempts =
        List.of(
            attempt(Outcome.RETRY, 40, at.minusMillis(100), "HTTP 429"),
            attempt(Outcome.SUCCESS, 12, at.minusMillis(5), null));
    RouteReply ok =
        new RouteReply(
            "bench-1",
            ReplyStatus.OK,
            BODY,
            null,
            "d1",
            "bench",
            "gpt",
            "openai",
            attempts,
            57L,
            12L,
            0.5,
            Map.of(LoadGenerator.SENT_AT, "99", "k", "v"),
            at,
            null,
            3L);
    RouteReply error =
        new RouteReply(
            "bench-2",
            ReplyStatus.ERROR,
            null,
            ReplyError.of(ErrorCode.PROVIDER_ERROR, "no"),
            null,
            "bench",
            null,
            null,
            List.of(),
            9L,
            null,
            null,
            null,
            at,
            null,
            null);

    for (RouteReply reply : List.of(ok, error)) {
      byte[] bytes = Json.toBytes(reply);
      ReplyView bound = Json.mapper().readValue(bytes, ReplyView.class);

      assertThat(ReplyView.DESERIALIZER.deserialize("replies", bytes)).isEqualTo(bound);
    }
    ReplyView read = ReplyView.DESERIALIZER.deserialize("replies", Json.toBytes(ok));
    assertThat(read.attempts())
        .containsExactly(
            new ReplyView.AttemptView(40, at.minusMillis(100)),
            new ReplyView.AttemptView(12, at.minusMillis(5)));
    assertThat(read.status()).isEqualTo(ReplyStatus.OK);
    assertThat(read.metadata()).containsEntry(LoadGenerator.SENT_AT, "99");
    assertThat(read.providerLatencyMs()).isEqualTo(12L);
  }

  private static AttemptEvent attempt(Outcome outcome, long latencyMs, Instant at, String error) {
    return new AttemptEvent(
        AttemptEvent.TYPE,
        "bench-1",
        "d1",
        "bench",
        "gpt",
        "openai",
        outcome,
        200,
        latencyMs,
        3,
        4,
        0.25,
        0,
        error,
        at,
        Priority.INTERACTIVE,
        1L);
  }
}
