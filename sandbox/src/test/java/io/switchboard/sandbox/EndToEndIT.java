package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.Topic;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Call;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** The whole path on a real broker: requests in, router, worker, mock provider, replies out. */
class EndToEndIT {
  static Embedded embedded;
  static Topics topics;

  @BeforeAll
  static void start() throws Exception {
    embedded =
        Embedded.start(KafkaBrokers::start, null, Embedded.demoBehavior(), 1, Embedded.DEMO_CONFIG);
    topics = new Topics(embedded.config().topics());
  }

  @AfterAll
  static void stop() {
    embedded.close();
  }

  @Test
  @Timeout(180)
  void everyRequestGetsExactlyOneReplyMatchedToItsIdAndSplitAsConfigured() {
    int n = 600;
    try (KafkaProducer<String, RouteRequest> producer =
        new KafkaProducer<>(
            props(), new StringSerializer(), topics.requests().valueSerde().serializer())) {
      for (int i = 0; i < n; i++) {
        producer.send(
            new ProducerRecord<>(
                topics.requests().name(), "e2e-" + i, DemoCommand.sampleRequest("e2e-" + i)));
      }
    }
    List<ConsumerRecord<String, RouteReply>> replies =
        read(topics.replies(), r -> r.key().startsWith("e2e-"), n);
    assertThat(replies).hasSize(n);
    Map<String, RouteReply> byId =
        replies.stream().collect(Collectors.toMap(ConsumerRecord::key, ConsumerRecord::value));
    assertThat(byId).hasSize(n);
    for (int i = 0; i < n; i++) {
      RouteReply reply = byId.get("e2e-" + i);
      assertThat(reply.id()).isEqualTo("e2e-" + i);
      assertThat(reply.status()).isEqualTo(ReplyStatus.OK);
      assertThat(reply.response().path("choices").get(0).path("message").path("content").asText())
          .isNotEmpty();
    }
    Map<String, Long> split =
        byId.values().stream()
            .collect(Collectors.groupingBy(RouteReply::deploymentId, Collectors.counting()));
    int tasks = embedded.config().topics().requestPartitions();
    assertThat(split.get("chat-east")).isBetween(420L - tasks, 420L + tasks);
    assertThat(split.get("chat-west")).isBetween(180L - tasks, 180L + tasks);
    List<Call> calls =
        embedded.mock().calls().stream()
            .filter(c -> c.requestId() != null && c.requestId().startsWith("e2e-"))
            .toList();
    assertThat(calls).hasSize(n);
    assertThat(calls).allSatisfy(c -> assertThat(c.deployment()).isIn("chat-east", "chat-west"));
  }

  @Test
  @Timeout(120)
  void malformedRecordsAreDeadLetteredAndAnsweredWhileRoutingGoesOn() {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props(), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(
          new ProducerRecord<>(
              topics.requests().name(),
              "bad-1",
              "{\"id\":\"bad-1\",\"model\":".getBytes(StandardCharsets.UTF_8)));
      producer.send(
          new ProducerRecord<>(
              topics.requests().name(),
              "bad-2",
              "{\"model\":\"chat\",\"body\":{}}".getBytes(StandardCharsets.UTF_8)));
      producer.send(
          new ProducerRecord<>(
              topics.requests().name(),
              "bad-3",
              "{\"id\":\"bad-3\",\"model\":\"gpt-nope\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}"
                  .getBytes(StandardCharsets.UTF_8)));
      producer.send(
          new ProducerRecord<>(
              topics.requests().name(),
              "good-after",
              io.switchboard.schemas.json.Json.toBytes(DemoCommand.sampleRequest("good-after"))));
    }
    List<ConsumerRecord<String, RouteReply>> replies =
        read(
            topics.replies(),
            r -> r.key().equals("bad-1") || r.key().equals("bad-3") || r.key().equals("good-after"),
            3);
    Map<String, RouteReply> byId =
        replies.stream().collect(Collectors.toMap(ConsumerRecord::key, ConsumerRecord::value));
    assertThat(byId.get("bad-1").error().code()).isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThat(byId.get("bad-3").error().code()).isEqualTo(ErrorCode.UNKNOWN_MODEL);
    assertThat(byId.get("bad-3").error().message()).contains("gpt-nope");
    assertThat(byId.get("good-after").status()).isEqualTo(ReplyStatus.OK);
    List<ConsumerRecord<String, DeadLetter>> letters = read(topics.deadLetter(), r -> true, 2);
    assertThat(letters)
        .extracting(r -> r.value().code())
        .contains(ErrorCode.MALFORMED_JSON, ErrorCode.INVALID_REQUEST);
    assertThat(letters)
        .allSatisfy(
            l -> {
              assertThat(l.value().sourceTopic()).isEqualTo(topics.requests().name());
              assertThat(l.value().offset()).isNotNull();
            });
  }

  @Test
  @Timeout(180)
  void demoCommandPrintsTheSplitTableAndExitsZero() {
    StringWriter out = new StringWriter();
    CommandLine cli = SandboxMain.commandLine();
    cli.setOut(new PrintWriter(out));
    int code = cli.execute("demo", "--requests", "100");
    assertThat(code).as(out.toString()).isZero();
    assertThat(out.toString())
        .contains("Replies: 100 of 100 (100 ok, 0 error)")
        .contains("chat-east")
        .contains("chat-west");
  }

  @Test
  @Timeout(120)
  void submitCommandPrintsTheReplyAsPrettyJsonAndExitsByItsStatus() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = SandboxMain.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code =
        cli.execute(
            "submit",
            "--bootstrap",
            embedded.broker().bootstrapServers(),
            "--model",
            "chat",
            "--client-id",
            "e2e-submit",
            "hello there");
    assertThat(code).as("%s%n%s", out, err).isZero();
    assertThat(out.toString()).contains("\n  \"status\" : \"ok\"");
    assertThat(Json.parse(out.toString()).path("deployment_id").asText())
        .isIn("chat-east", "chat-west");

    StringWriter unknown = new StringWriter();
    cli.setOut(new PrintWriter(unknown));
    assertThat(
            cli.execute(
                "submit",
                "--bootstrap",
                embedded.broker().bootstrapServers(),
                "--model",
                "no-such-model",
                "--client-id",
                "e2e-submit",
                "hello"))
        .as("an error reply exits 1")
        .isEqualTo(1);
    assertThat(Json.parse(unknown.toString()).path("status").asText()).isEqualTo("error");
  }

  static Properties props() {
    Properties p = new Properties();
    p.putAll(embedded.config().kafka());
    return p;
  }

  static <V> List<ConsumerRecord<String, V>> read(
      Topic<String, V> topic,
      java.util.function.Predicate<ConsumerRecord<String, V>> which,
      int expected) {
    Properties p = props();
    p.put("group.id", "e2e-" + System.nanoTime());
    p.put("auto.offset.reset", "earliest");
    p.put("isolation.level", "read_committed");
    List<ConsumerRecord<String, V>> out = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), topic.valueSerde().deserializer())) {
      consumer.subscribe(List.of(topic.name()));
      long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      int extraPolls = 5;
      while (System.nanoTime() < end && (out.size() < expected || extraPolls-- > 0)) {
        for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
          if (which.test(r)) {
            out.add(r);
          }
        }
      }
    }
    return out;
  }
}
