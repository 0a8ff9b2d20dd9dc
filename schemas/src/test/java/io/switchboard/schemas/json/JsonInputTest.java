package io.switchboard.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.schemas.json.JsonInputException.Problem;
import java.nio.charset.StandardCharsets;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class JsonInputTest {
  final JsonInput requests = JsonInput.requests();

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] bytes(String before, int[] raw, String after) {
    byte[] a = utf8(before);
    byte[] b = utf8(after);
    byte[] out = new byte[a.length + raw.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    for (int i = 0; i < raw.length; i++) {
      out[a.length + i] = (byte) raw[i];
    }
    System.arraycopy(b, 0, out, a.length + raw.length, b.length);
    return out;
  }

  static void refused(ThrowingCallable read, Problem problem, String... inMessage) {
    assertThatThrownBy(read)
        .isInstanceOfSatisfying(
            JsonInputException.class,
            e -> {
              assertThat(e.problem()).isEqualTo(problem);
              assertThat(e.getMessage()).contains(inMessage);
            });
  }

  @Test
  void readsAValidDocumentAndSkipsAByteOrderMark() throws Exception {
    JsonNode tree =
        requests.readTree(
            utf8("\uFEFF{\"id\":\"a\",\"n\":[1,2.5,1e300,-0.0],\"s\":\"\\u0000 ü 😀\"}"));
    assertThat(tree.get("id").asText()).isEqualTo("a");
    assertThat(tree.get("s").asText()).isEqualTo("\u0000 ü 😀");
  }

  @Test
  void anEmptyOrBlankRecordHoldsNoValue() throws Exception {
    assertThat(requests.readTree(new byte[0])).isNull();
    assertThat(requests.readTree(utf8(" \n\t "))).isNull();
  }

  @Test
  void nestingBeyondTheLimitIsRefusedWithItsPlace() {
    String deep = "[".repeat(129) + "]".repeat(129);
    refused(
        () -> requests.readTree(utf8("{\"a\":" + deep + "}")),
        Problem.TOO_DEEP,
        "deeper than 128 levels",
        "line 1, column");
    // The document that once escaped the reader: valid JSON, deeper than Jackson's own default of
    // 1000.
    String deeper = "[".repeat(1001) + "]".repeat(1001);
    refused(
        () -> requests.readTree(utf8("{\"id\":\"x\",\"a\":" + deeper + "}")),
        Problem.TOO_DEEP,
        "128");
  }

  @Test
  void nestingAtTheLimitIsRead() throws Exception {
    String deep = "[".repeat(127) + "]".repeat(127);
    assertThat(requests.readTree(utf8("{\"a\":" + deep + "}")).get("a").isArray()).isTrue();
  }

  @Test
  void numbersLongerThanTheLimitAreRefusedWithTheirPointer() throws Exception {
    assertThat(requests.readTree(utf8("{\"n\":" + "9".repeat(100) + "}")).get("n").isBigInteger())
        .isTrue();
    refused(
        () -> requests.readTree(utf8("{\"a\":{\"n\":" + "9".repeat(101) + "}}")),
        Problem.NUMBER_TOO_LONG,
        "number at /a/n",
        "more than 100 digits");
    refused(
        () -> requests.readTree(utf8("{\"a\":[0.5, 1." + "5".repeat(120) + "]}")),
        Problem.NUMBER_TOO_LONG,
        "number at /a/1 has more than 100 digits");
  }

  @Test
  void numbersBeyondADoubleAreRefusedWithTheirPointer() {
    refused(
        () -> requests.readTree(utf8("{\"body\":{\"temperature\":1e400}}")),
        Problem.NUMBER_OUT_OF_RANGE,
        "number at /body/temperature");
    refused(
        () -> requests.readTree(utf8("{\"a\":[1,{\"x/y\":[-2e308]}]}")),
        Problem.NUMBER_OUT_OF_RANGE,
        "number at /a/1/x~1y/0");
    refused(() -> requests.readTree(utf8("1e999")), Problem.NUMBER_OUT_OF_RANGE, "the top level");
  }

  @Test
  void aFieldGivenTwiceIsRefused() {
    refused(
        () -> requests.readTree(utf8("{\"id\":\"a\",\"metadata\":{\"k\":\"1\",\"k\":\"2\"}}")),
        Problem.DUPLICATE_FIELD,
        "field /metadata/k appears twice");
    refused(
        () -> requests.readTree(utf8("{\"id\":\"a\",\"id\":\"a\"}")),
        Problem.DUPLICATE_FIELD,
        "/id");
  }

  @Test
  void longNamesAndStringsAreRefusedAtTheirLimits() {
    refused(
        () -> requests.readTree(utf8("{\"" + "k".repeat(1025) + "\":1}")),
        Problem.NAME_TOO_LONG,
        "a field name in the top level is longer than 1024 characters");
    refused(
        () -> requests.readTree(utf8("{\"m\":{\"team\":\"a\",\"" + "k".repeat(1025) + "\":1}}")),
        Problem.NAME_TOO_LONG,
        "a field name in /m is longer");
    JsonInput small = new JsonInput(new JsonLimits(8, 10, 10, 20));
    refused(
        () -> small.readTree(utf8("{\"s\":\"" + "x".repeat(21) + "\"}")),
        Problem.STRING_TOO_LONG,
        "string at /s",
        "longer than 20 characters");
  }

  @Test
  void invalidUtf8IsRefusedWithItsOffset() {
    int[][] invalid = {
      {0xC0, 0x80}, // overlong NUL
      {0xED, 0xA0, 0x80}, // an encoded surrogate
      {0x80}, // a continuation byte alone
      {0xE2, 0x28, 0xA1}, // a sequence cut short
      {0xF5, 0x80, 0x80, 0x80}, // beyond U+10FFFF
      {0xFF},
    };
    for (int[] raw : invalid) {
      refused(
          () -> requests.readTree(bytes("{\"s\":\"", raw, "\"}")),
          Problem.INVALID_UTF8,
          "from offset 6");
    }
    refused(
        () -> requests.readTree(bytes("{\"s\":\"", new int[] {0xE2, 0x82}, "")),
        Problem.INVALID_UTF8,
        "offset 6");
  }

  @Test
  void nulBytesAndUtf16AreRefused() {
    refused(
        () -> requests.readTree(bytes("{\"s\":\"a", new int[] {0}, "\"}")),
        Problem.NUL_BYTE,
        "offset 7");
    refused(
        () -> requests.readTree("{\"id\":\"a\"}".getBytes(StandardCharsets.UTF_16LE)),
        Problem.NUL_BYTE,
        "offset 1");
  }

  @Test
  void syntaxErrorsAndTrailingContentAreRefusedWithTheirLocation() {
    refused(
        () -> requests.readTree(utf8("{\"id\":\"a\",}")),
        Problem.SYNTAX,
        "not valid JSON",
        "line 1");
    refused(() -> requests.readTree(utf8("{\"id\":\"a\"")), Problem.SYNTAX, "not valid JSON");
    refused(
        () -> requests.readTree(utf8("{\"id\":\"a\"} {}")),
        Problem.TRAILING_CONTENT,
        "line 1, column 11");
    refused(
        () -> requests.readTree(utf8("{\"id\":\"a\"}x")), Problem.TRAILING_CONTENT, "more after");
  }

  @Test
  void theReadablePrefixEndsAtTheFirstInvalidByteOrNul() {
    assertThat(JsonInput.readablePrefix(bytes("{\"id\":\"a\",", new int[] {0xC0, 0x80}, "\"}")))
        .isEqualTo("{\"id\":\"a\",");
    assertThat(JsonInput.readablePrefix(bytes("{\"id\"", new int[] {0}, "x"))).isEqualTo("{\"id\"");
    assertThat(JsonInput.readablePrefix(utf8("\uFEFF{}"))).isEqualTo("{}");
    assertThat(JsonInput.readablePrefix(new byte[0])).isEmpty();
  }

  @Test
  void limitsMustBePositive() {
    assertThatThrownBy(() -> new JsonLimits(0, 1, 1, 1))
        .hasMessageContaining("max_depth must be at least 1, got 0");
  }
}
