package io.switchboard.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.LanePlan;
import io.switchboard.schemas.topics.TopicProvisioner;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class WorkerBrokerIT {
  static KafkaBroker broker;
  static HttpServer provider;
  static final AtomicInteger calls = new AtomicInteger();

  @BeforeAll
  static void start() throws IOException {
    broker = KafkaBrokers.start();
    provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    provider.setExecutor(Executors.newFixedThreadPool(4));
    provider.createContext(
        "/ok/v1/chat/completions",
        exchange -> {
          calls.incrementAndGet();
          byte[] body =
              ("{\"id\":\"c\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                      + "\"content\":\"hi\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("content-type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    provider.createContext(
        "/bad/v1/chat/completions",
        exchange -> {
          byte[] body = "{\"error\":{\"message\":\"bad\"}}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(400, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    provider.start();
  }

  @AfterAll
  static void stop() {
    provider.stop(0);
    broker.close();
  }

  SwitchboardConfig config(String group) {
    String base = "http://127.0.0.1:" + provider.getAddress().getPort();
    return new ConfigLoader(k -> null)
        .parse(
            """
        model_list:
          - {model_name: ok, api_base: "%s/ok/v1", lanes: 2, input_cost_per_million: 1.0, output_cost_per_million: 2.0}
          - {model_name: bad, api_base: "%s/bad/v1"}
        worker_settings: {group_id: %s, shutdown_grace_ms: 5000}
        topics: {requests: %s.requests, dispatch: %s.dispatch, replies: %s.replies, fallbacks: %s.fallbacks,
                 metrics: %s.metrics, health: %s.health, dead_letter: %s.dlq}
        """
                .formatted(base, base, group, group, group, group, group, group, group, group),
            "test")
        .withKafka(Map.of("bootstrap.servers", broker.bootstrapServers()));
  }

  @Test
  @Timeout(120)
  void everyDispatchGetsExactlyOneReplyWithUsageAndCost() throws Exception {
    SwitchboardConfig config = config("w1");
    Topics topics = new Topics(config.topics());
    try (Admin admin = Admin.create(new HashMap<String, Object>(config.kafka()))) {
      TopicProvisioner.ensure(admin, config);
    }
    int n = 200;
    LanePlan plan = LanePlan.of(config);
    try (Worker worker = new Worker(config, Clock.systemUTC(), k -> null);
        KafkaProducer<String, Dispatch> producer =
            new KafkaProducer<>(
                props(), new StringSerializer(), topics.dispatch().valueSerde().serializer())) {
      worker.start();
      Instant now = Instant.now();
      for (int i = 0; i < n; i++) {
        String deployment = i % 10 == 0 ? "bad" : "ok";
        RouteRequest request =
            RouteRequest.of(
                    "id-" + i,
                    deployment,
                    (com.fasterxml.jackson.databind.node.ObjectNode)
                        Json.parse("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                .withReplyTo(topics.replies().name());
        Dispatch d =
            new Dispatch(
                request,
                deployment,
                deployment,
                0,
                0,
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                null,
                now,
                now);
        producer.send(
            new ProducerRecord<>(
                topics.dispatch().name(), plan.partitionFor(deployment, d.id()), d.id(), d));
      }
      producer.flush();
      Map<String, RouteReply> replies = readReplies(topics, n, Duration.ofSeconds(60));
      assertThat(replies).hasSize(n);
      RouteReply ok = replies.get("id-1");
      assertThat(ok.status()).isEqualTo(ReplyStatus.OK);
      assertThat(ok.deploymentId()).isEqualTo("ok");
      assertThat(ok.attempts()).hasSize(1);
      assertThat(ok.costUsd()).isEqualTo((3 * 1.0 + 1 * 2.0) / 1_000_000.0);
      RouteReply bad = replies.get("id-0");
      assertThat(bad.status()).isEqualTo(ReplyStatus.ERROR);
      assertThat(bad.error().code()).isEqualTo(ErrorCode.PROVIDER_ERROR);
      assertThat(bad.error().message()).contains("400");
    }
  }

  Properties props() {
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    return p;
  }

  Map<String, RouteReply> readReplies(Topics topics, int expected, Duration timeout) {
    Properties p = props();
    p.put("group.id", "reader-" + System.nanoTime());
    p.put("auto.offset.reset", "earliest");
    p.put("isolation.level", "read_committed");
    Map<String, RouteReply> replies = new HashMap<>();
    int total = 0;
    try (KafkaConsumer<String, RouteReply> consumer =
        new KafkaConsumer<>(
            p, new StringDeserializer(), topics.replies().valueSerde().deserializer())) {
      consumer.subscribe(List.of(topics.replies().name()));
      long end = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < end && total < expected) {
        for (ConsumerRecord<String, RouteReply> r : consumer.poll(Duration.ofMillis(200))) {
          replies.put(r.key(), r.value());
          total++;
        }
      }
      // a little longer, to catch any second reply
      for (int i = 0; i < 5; i++) {
        for (ConsumerRecord<String, RouteReply> r : consumer.poll(Duration.ofMillis(200))) {
          replies.put(r.key(), r.value());
          total++;
        }
      }
    }
    assertThat(total).as("replies read (duplicates included)").isEqualTo(expected);
    return replies;
  }
}
