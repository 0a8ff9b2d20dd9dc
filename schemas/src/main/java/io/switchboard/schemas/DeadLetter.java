package io.switchboard.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A record that could not be answered normally, on the dead-letter topic, with everything an
 * operator needs to find and replay it. Shape: {@code schemas/dead-letter.schema.json}.
 *
 * @param code why it is here
 * @param message a sentence naming what was wrong and where
 * @param sourceTopic the topic the record was read from
 * @param partition its partition
 * @param offset its offset
 * @param requestId the request id, when one could be read
 * @param original the original record value, as text ({@code utf8}) or {@code base64}
 * @param originalEncoding {@code utf8} or {@code base64}
 * @param attempts the provider calls made for the request, if any
 * @param at when it was dead-lettered
 */
public record DeadLetter(
    ErrorCode code,
    String message,
    String sourceTopic,
    Integer partition,
    Long offset,
    String requestId,
    String original,
    String originalEncoding,
    List<AttemptEvent> attempts,
    Instant at) {

  public DeadLetter {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(at, "at");
    attempts = attempts == null ? List.of() : List.copyOf(attempts);
  }

  /** A dead letter carrying the original bytes: as text when they are UTF-8, else base64. */
  public static DeadLetter of(
      ErrorCode code,
      String message,
      String topic,
      int partition,
      long offset,
      String requestId,
      byte[] value,
      List<AttemptEvent> attempts,
      Instant at) {
    String text = null;
    String encoding = null;
    if (value != null) {
      try {
        text =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(value))
                .toString();
        encoding = "utf8";
      } catch (CharacterCodingException notText) {
        text = Base64.getEncoder().encodeToString(value);
        encoding = "base64";
      }
    }
    return new DeadLetter(
        code, message, topic, partition, offset, requestId, text, encoding, attempts, at);
  }
}
