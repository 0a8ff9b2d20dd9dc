package io.switchboard.router.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.ReplyError;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestReaderTest {
  static final String BODY = "\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  static final SwitchboardConfig CONFIG =
      new ConfigLoader(k -> null)
          .parse(
              """
      model_list: [{model_name: chat}]
      router_settings: {max_request_bytes: 65536}
      """,
              "test");

  final RequestReader reader = new RequestReader(CONFIG);

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  Rejection rejected(String record) {
    RequestReader.Read read = reader.read(utf8(record));
    assertThat(read.request()).as("not routed").isNull();
    return read.rejection();
  }

  @Test
  void aRequestIsBoundWithItsWholeBodyAndEveryEnvelopeField() {
    String record =
        "{\"id\":\"r1\",\"model\":\"chat\",\"metadata\":{\"k\":\"v\"},\"priority\":\"batch\","
            + "\"timeout_ms\":5000,\"body\":{\"messages\":[{\"role\":\"user\",\"content\":"
            + "[{\"type\":\"text\",\"text\":\"hi\"}]}],\"temperature\":0.25,\"max_tokens\":7,"
            + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}]}}";

    io.switchboard.schemas.RouteRequest request = reader.read(utf8(record)).request();

    io.switchboard.schemas.RouteRequest expected =
        Json.read(record, io.switchboard.schemas.RouteRequest.class);
    assertThat(request).isEqualTo(expected);
    assertThat(request.body()).isEqualTo(Json.parse(record).get("body"));
  }

  @Test
  void validJsonDeeperThanJacksonsOwnLimitIsAnsweredNamingTheDepth() {
    // The record that once threw a NullPointerException in the reader and got no reply.
    String deep = "[".repeat(1001) + "]".repeat(1001);
    Rejection r =
        rejected("{\"id\":\"deep-1\"," + BODY.replace("}]}", "}],\"x\":" + deep + "}") + "}");
    assertThat(r.requestId()).isEqualTo("deep-1");
    assertThat(r.error().code()).isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThat(r.error().message()).contains("deeper than 128 levels");
    assertThat(r.deadLetter()).isTrue();
  }

  @Test
  void theIdIsFoundAfterAValueTooDeepForTheReaderButNotAfterOneTooDeepForTheScan() {
    String deep = "[".repeat(500) + "]".repeat(500);
    assertThat(rejected("{\"x\":" + deep + "," + BODY + ",\"id\":\"late-1\"}").requestId())
        .isEqualTo("late-1");
    String deeper = "[".repeat(RequestIds.SCAN_DEPTH) + "]".repeat(RequestIds.SCAN_DEPTH);
    Rejection r = rejected("{\"x\":" + deeper + "," + BODY + ",\"id\":\"late-2\"}");
    assertThat(r.requestId()).isNull();
    assertThat(r.deadLetter()).isTrue();
  }

  @Test
  void theScanReadsOnlyTheTopLevelId() {
    // A nested "id" (a tool call's, a metadata entry) is not the request's: no reply rather than a
    // wrong one.
    Rejection r =
        rejected("{\"metadata\":{\"id\":\"nested\"},\"body\":{\"messages\":[{\"id\":\"m\",");
    assertThat(r.requestId()).isNull();
    assertThat(r.deadLetter()).isTrue();
    assertThat(rejected("{\"metadata\":{\"id\":\"nested\"},\"id\":\"top\",\"body\":{").requestId())
        .isEqualTo("top");
  }

  @Test
  void theScanFindsAnIdInAnyLayoutAndWithEscapes() {
    assertThat(rejected("{ \"id\" :\n \"caf\\u00e9 \\\"1\\\"\" , \"body\": [").requestId())
        .isEqualTo("café \"1\"");
  }

  @Test
  void anIdGivenTwiceWithDifferentValuesGetsNoReply() {
    Rejection r = rejected("{\"id\":\"a\",\"id\":\"b\"," + BODY + "}");
    assertThat(r.requestId()).isNull();
    assertThat(r.error().message()).contains("field /id appears twice");
    assertThat(rejected("{\"id\":\"a\",\"id\":\"a\"," + BODY + "}").requestId()).isEqualTo("a");
  }

  @Test
  void anIdAfterTheFirstBrokenByteIsNotRead() {
    Rejection r = rejected("{\"model\":\"chat\u0000\",\"id\":\"after-nul\"," + BODY + "}");
    assertThat(r.requestId()).isNull();
    assertThat(r.error().message()).contains("NUL byte at offset 14");
  }

  @Test
  void aTooLargeRecordIsAnsweredWhenItsIdComesLast() {
    String big = "x".repeat(70_000);
    Rejection r =
        rejected(
            "{\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\""
                + big
                + "\"}]},"
                + "\"id\":\"big-1\"}");
    assertThat(r.error().code()).isEqualTo(ErrorCode.REQUEST_TOO_LARGE);
    assertThat(r.requestId()).isEqualTo("big-1");
  }

  @Test
  void anIdLongerThanTheSchemaAllowsAddressesNoReply() {
    String id = "x".repeat(RequestIds.MAX_LENGTH + 1);
    Rejection r = rejected("{\"id\":\"" + id + "\"," + BODY + "}");
    assertThat(r.requestId()).isNull();
    assertThat(r.error().field()).isEqualTo("/id");
    assertThat(r.error().message()).contains("longer than 256 characters");
    assertThat(rejected("{\"id\":\"" + id + "\"," + BODY + ",\"stream\":true}").requestId())
        .isNull();
    // Counted in characters, as the schema counts: 256 emoji are 512 chars in Java.
    String emoji = "\ud83d\ude00".repeat(RequestIds.MAX_LENGTH);
    assertThat(reader.read(utf8("{\"id\":\"" + emoji + "\"," + BODY + "}")).request().id())
        .isEqualTo(emoji);
  }

  @Test
  void theIdLimitIsTheSchemas() {
    int schemaMax =
        Json.parse(new String(readSchema(), StandardCharsets.UTF_8))
            .at("/properties/id/maxLength")
            .asInt();
    assertThat(RequestIds.MAX_LENGTH).isEqualTo(schemaMax);
  }

  @Test
  void aForbiddenReplyToIsQuotedShort() {
    Rejection r =
        rejected("{\"id\":\"r\",\"reply_to\":\"" + "t".repeat(5_000) + "\"," + BODY + "}");
    assertThat(r.error().code()).isEqualTo(ErrorCode.FORBIDDEN_REPLY_TO);
    assertThat(r.error().message()).hasSizeLessThan(400).contains("'" + "t".repeat(100) + "...'");
  }

  @Test
  void aRejectionNobodyHearsOfCannotBeMade() {
    assertThatThrownBy(
            () -> new Rejection(ReplyError.of(ErrorCode.MALFORMED_JSON, "x"), null, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be dead-lettered");
  }

  private static byte[] readSchema() {
    try (var in =
        RequestReaderTest.class.getResourceAsStream("/schemas/route-request.schema.json")) {
      return in.readAllBytes();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
