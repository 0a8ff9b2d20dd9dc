package io.switchboard.client.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.ReplyError;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.Topic;
import io.switchboard.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Stands in for router and worker: a real consumer on the requests topic and a real producer
 * writing one {@link RouteReply} to each request's {@code reply_to}. The last message's content
 * chooses the answer: {@code [fail]} an error reply (provider status 400), {@code [expire]} an
 * expired reply, {@code [silent]} no reply at all, anything else an ok chat completion echoing it.
 */
public final class Responder implements AutoCloseable {
  private final KafkaConsumer<String, RouteRequest> consumer;
  private final KafkaProducer<String, RouteReply> producer;
  private final Thread thread;
  private final List<RouteRequest> held = new ArrayList<>();
  private volatile boolean running = true;
  private volatile boolean holding;
  private volatile boolean releaseHeld;
  private volatile boolean duplicateReplies;
  private volatile long pauseMicrosPerRequest;
  public final AtomicLong received = new AtomicLong();
  public final AtomicLong answered = new AtomicLong();
  public final Set<String> replyTopicsSeen = ConcurrentHashMap.newKeySet();

  public Responder(ConnectionSettings connection) {
    Topic<String, RouteRequest> requests = connection.typedTopics().requests();
    Map<String, Object> c = new HashMap<>(connection.kafka());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "responder-" + UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
    consumer =
        new KafkaConsumer<>(c, new StringDeserializer(), requests.valueSerde().deserializer());
    consumer.subscribe(List.of(requests.name()));
    Map<String, Object> p = new HashMap<>(connection.kafka());
    p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
    producer =
        new KafkaProducer<>(
            p, new StringSerializer(), Topics.reply("any").valueSerde().serializer());
    thread = new Thread(this::run, "test-responder");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queue requests instead of answering them until {@link #release()}. */
  public void hold() {
    holding = true;
  }

  public void release() {
    holding = false;
    releaseHeld = true;
  }

  /** Answer every request twice (the client and the batch runner must de-duplicate). */
  public void duplicateReplies(boolean on) {
    duplicateReplies = on;
  }

  /** Slow down: sleep this long before each answer. */
  public void pauseMicrosPerRequest(long micros) {
    pauseMicrosPerRequest = micros;
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<String, RouteRequest> r : consumer.poll(Duration.ofMillis(100))) {
          received.incrementAndGet();
          if (r.value().replyTo() != null) {
            replyTopicsSeen.add(r.value().replyTo());
          }
          if (holding) {
            held.add(r.value());
          } else {
            answer(r.value());
          }
        }
        if (releaseHeld && !holding) {
          releaseHeld = false;
          held.forEach(this::answer);
          held.clear();
        }
        producer.flush();
      }
    } catch (org.apache.kafka.common.errors.WakeupException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private void answer(RouteRequest request) {
    long pause = pauseMicrosPerRequest;
    if (pause > 0) {
      try {
        Thread.sleep(pause / 1000, (int) (pause % 1000) * 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    String content = lastContent(request.body());
    if (content.contains("[silent]")) {
      answered.incrementAndGet();
      return;
    }
    RouteReply reply = replyTo(request, content);
    producer.send(new ProducerRecord<>(request.replyTo(), request.id(), reply));
    if (duplicateReplies) {
      producer.send(new ProducerRecord<>(request.replyTo(), request.id(), reply));
    }
    answered.incrementAndGet();
  }

  static String lastContent(ObjectNode body) {
    JsonNode messages = body.path("messages");
    JsonNode last =
        messages.isArray() && !messages.isEmpty() ? messages.get(messages.size() - 1) : null;
    return last == null ? "" : last.path("content").asText("");
  }

  static RouteReply replyTo(RouteRequest request, String content) {
    Instant now = Instant.now();
    String modelName =
        request.model() != null
            ? request.model()
            : request.loadBalanceGroup() != null ? request.loadBalanceGroup() : "echo";
    String deployment = modelName + "-1";
    if (content.contains("[fail]")) {
      AttemptEvent attempt =
          new AttemptEvent(
              null,
              request.id(),
              deployment,
              modelName,
              "echo-model",
              "openai",
              Outcome.FAIL,
              400,
              3,
              null,
              null,
              0.0,
              0,
              "400 bad request",
              now);
      return new RouteReply(
          request.id(),
          ReplyStatus.ERROR,
          null,
          ReplyError.of(ErrorCode.PROVIDER_ERROR, "the provider answered 400: injected failure"),
          deployment,
          modelName,
          "echo-model",
          "openai",
          List.of(attempt),
          5L,
          3L,
          0.0,
          request.metadata(),
          now);
    }
    if (content.contains("[expire]")) {
      return RouteReply.rejected(
          request.id(),
          ReplyError.of(ErrorCode.DEADLINE_EXCEEDED, "deadline passed"),
          request.metadata(),
          now);
    }
    ObjectNode response = Json.mapper().createObjectNode();
    response.put("id", "chatcmpl-" + Math.abs(request.id().hashCode()));
    response.put("object", "chat.completion");
    response.put("created", now.getEpochSecond());
    response.put("model", "echo-model");
    ArrayNode choices = response.putArray("choices");
    ObjectNode choice = choices.addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", "echo: " + content);
    choice.put("finish_reason", "stop");
    ObjectNode usage = response.putObject("usage");
    usage.put("prompt_tokens", 10);
    usage.put("completion_tokens", 5);
    usage.put("total_tokens", 15);
    AttemptEvent attempt =
        new AttemptEvent(
            null,
            request.id(),
            deployment,
            modelName,
            "echo-model",
            "openai",
            Outcome.SUCCESS,
            200,
            3,
            10,
            5,
            0.001,
            0,
            null,
            now);
    return new RouteReply(
        request.id(),
        ReplyStatus.OK,
        response,
        null,
        deployment,
        modelName,
        "echo-model",
        "openai",
        List.of(attempt),
        5L,
        3L,
        0.001,
        request.metadata(),
        now);
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(2));
  }
}
