package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.testkit.process.ChildJvm;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code switchboard dev} as a user runs it: a separate process that prints its bootstrap address
 * and its metrics URL; a plain Kafka client (string key, the README's JSON line as the value, as
 * kcat sends it) publishes a request and reads the reply with read_committed; the metrics URL
 * serves the router's and the worker's meters, health and readiness; SIGTERM ends the process
 * through its shutdown hook.
 */
class DevCommandIT {
  private static final Pattern BOOTSTRAP = Pattern.compile("bootstrap servers\\s*:\\s*(\\S+)");
  private static final Pattern METRICS = Pattern.compile("metrics\\s*:\\s*(http://\\S+)/metrics");

  @TempDir Path dir;

  @Test
  @Timeout(240)
  void devAnswersARequestPublishedByAPlainKafkaClient() throws Exception {
    try (ChildJvm dev =
        ChildJvm.builder("io.switchboard.sandbox.SandboxMain")
            .name("dev")
            .jvmArgs("-Xmx512m", "-Djava.io.tmpdir=" + dir)
            .args("dev", "--metrics-port", "0")
            .log(dir.resolve("dev.log"))
            .start()) {
      String line = dev.awaitLogLine(l -> BOOTSTRAP.matcher(l).find(), Duration.ofSeconds(180));
      Matcher m = BOOTSTRAP.matcher(line);
      assertThat(m.find()).isTrue();
      String bootstrap = m.group(1);
      assertThat(dev.logText())
          .contains("requests topic    : switchboard.requests")
          .contains("replies topic     : switchboard.replies");

      Properties p = new Properties();
      p.put("bootstrap.servers", bootstrap);
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
        producer
            .send(
                new ProducerRecord<>(
                    "switchboard.requests",
                    "r1",
                    "{\"id\":\"r1\",\"model\":\"chat\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}}"))
            .get();
      }
      p.put("group.id", "dev-test");
      p.put("auto.offset.reset", "earliest");
      p.put("isolation.level", "read_committed");
      List<ConsumerRecord<String, String>> replies = new ArrayList<>();
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of("switchboard.replies"));
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (replies.isEmpty() && System.nanoTime() < end) {
          consumer.poll(Duration.ofMillis(200)).forEach(replies::add);
        }
      }
      assertThat(replies).as("a reply on switchboard.replies\n%s", dev.tail()).hasSize(1);
      assertThat(replies.get(0).key()).isEqualTo("r1");
      JsonNode reply = new ObjectMapper().readTree(replies.get(0).value());
      assertThat(reply.path("id").asText()).isEqualTo("r1");
      assertThat(reply.path("status").asText()).isEqualTo("ok");
      assertThat(
              reply
                  .path("response")
                  .path("choices")
                  .path(0)
                  .path("message")
                  .path("content")
                  .asText())
          .isNotEmpty();

      Matcher metrics = METRICS.matcher(dev.logText());
      assertThat(metrics.find()).as("the metrics URL\n%s", dev.tail()).isTrue();
      String endpoint = metrics.group(1);
      assertThat(get(endpoint + "/metrics"))
          .contains("switchboard_router_routed_requests_total")
          .contains("switchboard_worker_calls_total")
          .contains("kafka_stream_")
          .contains("kafka_consumer_");
      assertThat(get(endpoint + "/health")).isEqualTo("ok\n");
      assertThat(get(endpoint + "/ready")).isEqualTo("ok\n");

      // 143 = 128 + SIGTERM: the JVM ran its shutdown hooks and ended; -1 would mean it had to be
      // killed
      assertThat(dev.stop(Duration.ofSeconds(60)))
          .as("dev stops on SIGTERM within the grace\n%s", dev.tail())
          .isIn(0, 143);
    }
  }

  /** The body of a GET that must answer 200. */
  private static String get(String url) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url).isEqualTo(200);
    return response.body();
  }
}
