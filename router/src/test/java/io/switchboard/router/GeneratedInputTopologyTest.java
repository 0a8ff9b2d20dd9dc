package io.switchboard.router;

import static io.switchboard.router.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.router.internal.MutatedRequests;
import io.switchboard.router.internal.MutatedRequests.Input;
import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.json.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A sample of the generated records of {@link MutatedRequests} through one running topology: each
 * ends in exactly one dispatch or one reply when its id is readable (with at most one dead letter
 * beside it), else in exactly one dead letter; none reaches the Kafka Streams exception handler,
 * and routing goes on.
 */
class GeneratedInputTopologyTest {
  static final String YAML =
      """
      model_list:
        - {model_name: chat, deployment_id: chat-a}
        - {model_name: chat, deployment_id: chat-b}
        - {model_name: solo}
      router_settings: {max_request_bytes: 16384}
      reply_topics: [switchboard.replies, "team.*"]
      """;
  static final int PER_SEED = 750;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void everyGeneratedRecordEndsInExactlyOneOutcomeAndNoneInTheExceptionHandler() {
    try (Harness h = new Harness(YAML)) {
      TestOutputTopic<String, byte[]> deadLetters =
          h.driver.createOutputTopic(
              h.topics.deadLetter().name(), new StringDeserializer(), new ByteArrayDeserializer());
      int answered = 0;
      int deadLetteredOnly = 0;
      for (long seed : new long[] {101, 102}) {
        MutatedRequests generator = new MutatedRequests(seed);
        for (int i = 0; i < PER_SEED; i++) {
          Input input = generator.next();
          String where =
              "seed "
                  + seed
                  + " #"
                  + i
                  + " ("
                  + input.mutation()
                  + ") base64 "
                  + Base64.getEncoder()
                      .encodeToString(
                          Arrays.copyOf(input.value(), Math.min(input.value().length, 400)));
          h.sendBytes(input.value());
          List<String> answers = new ArrayList<>();
          h.dispatch.readValuesToList().forEach(d -> answers.add(d.id()));
          replies(h).forEach(r -> answers.add(r.id()));
          List<DeadLetter> letters = new ArrayList<>();
          for (TestRecord<String, byte[]> record : deadLetters.readRecordsToList()) {
            for (Header header : record.headers()) {
              assertThat(header.key())
                  .as("%s: a dead letter from the exception handler", where)
                  .doesNotStartWith("__streams.errors");
            }
            letters.add(Json.read(record.value(), DeadLetter.class));
          }
          assertThat(answers)
              .as("%s: at most one dispatch or reply", where)
              .hasSizeLessThanOrEqualTo(1);
          assertThat(letters).as("%s: at most one dead letter", where).hasSizeLessThanOrEqualTo(1);
          if (answers.isEmpty()) {
            assertThat(letters).as("%s: dead-lettered when there is no reply", where).hasSize(1);
            assertThat(letters.get(0).requestId()).as(where).isNull();
            deadLetteredOnly++;
          } else {
            answered++;
          }
          letters.forEach(letter -> assertThat(letter.message()).as(where).isNotBlank());
          if (!letters.isEmpty() && !answers.isEmpty()) {
            assertThat(letters.get(0).requestId()).as(where).isEqualTo(answers.get(0));
          }
          if (input.idKnown()) {
            assertThat(answers.isEmpty() ? null : answers.get(0))
                .as("%s: the id", where)
                .isEqualTo(input.id());
          }
          if (i % 100 == 99) {
            h.send(request("valid-" + seed + "-" + i, "chat"));
            assertThat(h.dispatch.readValue().id()).isEqualTo("valid-" + seed + "-" + i);
          }
        }
      }
      assertThat(answered).isGreaterThan(PER_SEED / 2);
      assertThat(deadLetteredOnly).isGreaterThan(PER_SEED / 10);
    }
  }

  /** Every reply written since the last look, on whichever allowed topic it was addressed to. */
  private static List<RouteReply> replies(Harness h) {
    List<RouteReply> replies = new ArrayList<>();
    for (String topic : h.driver.producedTopicNames()) {
      if (h.config.replyTopicAllowed(topic)) {
        replies.addAll(
            h.driver
                .createOutputTopic(
                    topic, new StringDeserializer(), h.topics.replies().valueSerde().deserializer())
                .readValuesToList());
      }
    }
    return replies;
  }
}
