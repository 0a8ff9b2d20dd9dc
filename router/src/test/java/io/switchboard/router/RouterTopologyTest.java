package io.switchboard.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RouterTopologyTest {
  static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  static final SwitchboardConfig CONFIG =
      new ConfigLoader(k -> null)
          .parse(
              """
      model_list:
        - {model_name: chat, deployment_id: chat-a, weight: 70, lanes: 2}
        - {model_name: chat, deployment_id: chat-b, weight: 30}
        - {model_name: solo}
      fallbacks:
        chat: [solo]
      router_settings: {max_request_bytes: 2048}
      reply_topics: [switchboard.replies, "team.*"]
      """,
              "test");

  TopologyTestDriver driver;
  TestInputTopic<String, byte[]> requests;
  TestOutputTopic<String, Dispatch> dispatch;
  TestOutputTopic<String, RouteReply> replies;
  TestOutputTopic<String, DeadLetter> deadLetter;
  Topics topics = new Topics(CONFIG.topics());

  @BeforeEach
  void start() {
    Properties props =
        Router.streamsProperties(CONFIG.withKafka(Map.of("bootstrap.servers", "unused:9092")));
    driver =
        new TopologyTestDriver(
            RouterTopology.build(CONFIG, Clock.fixed(NOW, ZoneOffset.UTC)), props);
    requests =
        driver.createInputTopic(
            topics.rawRequests().name(), new StringSerializer(), new ByteArraySerializer());
    dispatch =
        driver.createOutputTopic(
            topics.dispatch().name(),
            new StringDeserializer(),
            topics.dispatch().valueSerde().deserializer());
    replies =
        driver.createOutputTopic(
            topics.replies().name(),
            new StringDeserializer(),
            topics.replies().valueSerde().deserializer());
    deadLetter =
        driver.createOutputTopic(
            topics.deadLetter().name(),
            new StringDeserializer(),
            topics.deadLetter().valueSerde().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  void send(String json) {
    requests.pipeInput(null, json.getBytes(StandardCharsets.UTF_8));
  }

  static String request(String id, String model) {
    return "{\"id\":\""
        + id
        + "\",\"model\":\""
        + model
        + "\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}";
  }

  @Test
  void aliasIsSplitExactlyByWeightAndEachDispatchLandsOnItsLane() {
    for (int i = 0; i < 100; i++) {
      send(request("r" + i, "chat"));
    }
    var out = dispatch.readRecordsToList();
    assertThat(out).hasSize(100);
    Map<String, Long> counts =
        out.stream()
            .collect(Collectors.groupingBy(r -> r.value().deploymentId(), Collectors.counting()));
    assertThat(counts).containsEntry("chat-a", 70L).containsEntry("chat-b", 30L);
    for (TestRecord<String, Dispatch> r : out) {
      assertThat(r.key()).isEqualTo(r.value().id());
      assertThat(r.value().fallbacksRemaining()).containsExactly("solo");
      assertThat(r.value().receivedAt()).isEqualTo(NOW);
    }
    assertThat(replies.isEmpty()).isTrue();
  }

  @Test
  void deploymentIdRoutesToThatDeploymentOnly() {
    for (int i = 0; i < 5; i++) {
      send(request("d" + i, "chat-b"));
    }
    assertThat(dispatch.readValuesToList())
        .extracting(Dispatch::deploymentId)
        .containsOnly("chat-b");
  }

  @Test
  void unknownModelGetsAnErrorReplyNamingIt() {
    send(request("u1", "gpt-9"));
    RouteReply reply = replies.readValue();
    assertThat(reply.id()).isEqualTo("u1");
    assertThat(reply.status()).isEqualTo(ReplyStatus.ERROR);
    assertThat(reply.error().code()).isEqualTo(ErrorCode.UNKNOWN_MODEL);
    assertThat(reply.error().message()).contains("gpt-9");
    assertThat(reply.error().field()).isEqualTo("/model");
    assertThat(dispatch.isEmpty()).isTrue();
  }

  @Test
  void malformedJsonIsDeadLetteredWithItsSourceAndAnsweredWhenAnIdCanBeRead() {
    send("{\"id\": \"m1\", \"model\": \"chat\", \"body\": {");
    send("not json at all");
    RouteReply reply = replies.readValue();
    assertThat(reply.id()).isEqualTo("m1");
    assertThat(reply.error().code()).isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThat(replies.isEmpty()).isTrue();
    var letters = deadLetter.readValuesToList();
    assertThat(letters).hasSize(2);
    assertThat(letters)
        .allSatisfy(
            l -> {
              assertThat(l.code()).isEqualTo(ErrorCode.MALFORMED_JSON);
              assertThat(l.sourceTopic()).isEqualTo(topics.requests().name());
              assertThat(l.offset()).isNotNull();
            });
    assertThat(letters.get(1).original()).isEqualTo("not json at all");
    send(request("after", "chat"));
    assertThat(dispatch.readValue().id()).isEqualTo("after");
  }

  @Test
  void missingIdIsDeadLetteredWithoutAReply() {
    send("{\"model\":\"chat\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}");
    assertThat(replies.isEmpty()).isTrue();
    DeadLetter letter = deadLetter.readValue();
    assertThat(letter.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(letter.message()).contains("id");
  }

  @Test
  void schemaViolationsNameTheField() {
    send("{\"id\":\"v1\",\"model\":\"chat\",\"body\":{\"messages\":[]}}");
    RouteReply reply = replies.readValue();
    assertThat(reply.error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(reply.error().field()).isEqualTo("/body/messages");
  }

  @Test
  void oversizedRecordIsRejectedAndDeadLettered() {
    send(
        "{\"id\":\"big\",\"model\":\"chat\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\""
            + "x".repeat(3000)
            + "\"}]}}");
    assertThat(replies.readValue().error().code()).isEqualTo(ErrorCode.REQUEST_TOO_LARGE);
    assertThat(deadLetter.readValue().code()).isEqualTo(ErrorCode.REQUEST_TOO_LARGE);
  }

  @Test
  void forbiddenReplyToIsAnsweredOnTheDefaultTopicAndAllowedPrefixIsUsed() {
    send(
        "{\"id\":\"f1\",\"model\":\"chat\",\"reply_to\":\"other.topic\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}");
    RouteReply reply = replies.readValue();
    assertThat(reply.error().code()).isEqualTo(ErrorCode.FORBIDDEN_REPLY_TO);
    assertThat(deadLetter.readValue().requestId()).isEqualTo("f1");
    send(
        "{\"id\":\"f2\",\"model\":\"chat\",\"reply_to\":\"team.inbox\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}");
    assertThat(dispatch.readValue().request().replyTo()).isEqualTo("team.inbox");
  }

  @Test
  void pastDeadlineIsAnsweredExpiredWithoutDispatch() {
    send(
        "{\"id\":\"e1\",\"model\":\"chat\",\"deadline\":\"2026-11-22T09:59:59Z\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}");
    RouteReply reply = replies.readValue();
    assertThat(reply.status()).isEqualTo(ReplyStatus.EXPIRED);
    assertThat(reply.error().code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
    assertThat(dispatch.isEmpty()).isTrue();
  }
}
