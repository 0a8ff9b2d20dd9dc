package io.switchboard.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Fault;
import io.switchboard.testkit.mock.MockProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Batch inputs, a config whose mock deployments inject retried and terminal faults, and readers for
 * topics, output files and the printed summary, shared by the batch end-to-end tests.
 */
final class BatchFixtures {
  /** USD per million tokens in and out, by deployment, as in {@link #writeFaultyConfig}. */
  static final Map<String, double[]> PRICES =
      Map.of(
          "chat-east", new double[] {2.5, 10.0},
          "chat-west", new double[] {0.15, 0.6},
          "chat-flaky", new double[] {1.0, 1.0},
          "backup", new double[] {0.5, 1.5});

  private BatchFixtures() {}

  /** {@code n} OpenAI Batch lines {@code c-0 .. c-(n-1)}, without a model (the batch gives one). */
  static Path writeInput(Path file, int n) throws IOException {
    Files.write(
        file,
        IntStream.range(0, n)
            .mapToObj(
                i ->
                    "{\"custom_id\":\"c-"
                        + i
                        + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"line "
                        + i
                        + "\"}],\"max_tokens\":8}}")
            .toList());
    return file;
  }

  /**
   * Alias {@code chat}: chat-east (weight 60), chat-west (30), chat-flaky (10), falling back to
   * alias {@code chat-backup} (deployment backup). Short backoffs and a 1 s cooldown keep retries
   * quick; {@code allowed_fails} is high so that the retried faults of east and west do not cool
   * them down all the time.
   */
  static Path writeFaultyConfig(Path dir) throws IOException {
    StringBuilder y = new StringBuilder("model_list:\n");
    for (String d :
        List.of(
            "chat-east:chat:60",
            "chat-west:chat:30",
            "chat-flaky:chat:10",
            "backup:chat-backup:1")) {
      String[] p = d.split(":");
      y.append("  - model_name: ")
          .append(p[1])
          .append('\n')
          .append("    deployment_id: ")
          .append(p[0])
          .append('\n')
          .append("    provider: openai_compatible\n")
          .append("    model: mock-")
          .append(p[0])
          .append('\n')
          .append("    api_base: ${MOCK_URL}/d/")
          .append(p[0])
          .append("/v1\n")
          .append("    weight: ")
          .append(p[2])
          .append('\n')
          .append("    max_retries: 2\n")
          .append("    backoff: {initial_ms: 20, max_ms: 200}\n")
          .append("    input_cost_per_million: ")
          .append(PRICES.get(p[0])[0])
          .append('\n')
          .append("    output_cost_per_million: ")
          .append(PRICES.get(p[0])[1])
          .append('\n');
    }
    y.append("fallbacks:\n  chat: [chat-backup]\n");
    y.append(
        "router_settings:\n  timeout_ms: 10000\n  allowed_fails: 1000\n  cooldown_seconds: 1\n");
    return Files.writeString(dir.resolve("faulty.yaml"), y.toString());
  }

  /**
   * The faults: chat-east answers 400 (not retried) to 5% and 429 with a 50 ms Retry-After to 3%;
   * chat-west answers 503 (retried) to 5%; chat-flaky resets every connection (retried, then the
   * fallback); backup answers every call.
   */
  static void injectFaults(MockProvider mock, Behavior base) {
    mock.behave(
        "chat-east",
        base.withErrors(0.05, 400)
            .withRateLimitProbability(0.03)
            .withRetryAfter(Duration.ofMillis(50)));
    mock.behave("chat-west", base.withErrors(0.05, 503));
    mock.behave("chat-flaky", base.withFault(Fault.RESET));
    mock.behave("backup", base);
  }

  /** The JSON lines of a file. */
  static List<JsonNode> readLines(Path file) throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
        .filter(l -> !l.isBlank())
        .map(Json::parse)
        .toList();
  }

  /** How many complete lines a file holds. */
  static long lineCount(Path file) throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
      return lines.count();
    }
  }

  /** The {@code id} of every committed record of {@code topic}, in partition order. */
  static List<String> idsOnTopic(String bootstrap, String topic) {
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName()))) {
      List<TopicPartition> parts =
          c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      List<String> ids = new ArrayList<>();
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          ids.add(Json.parse(new String(r.value(), StandardCharsets.UTF_8)).path("id").asText());
        }
      }
      return ids;
    }
  }

  /** A row of the printed summary: requests, ok, failed, tokens in, tokens out, cost. */
  record SummaryRow(
      long requests, long ok, long failed, long tokensIn, long tokensOut, double cost) {}

  private static final Pattern ROW =
      Pattern.compile("(?m)^(.+?) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +([0-9.]+)$");

  /** The summary's rows by their {@code model / deployment} (and {@code total}). */
  static Map<String, SummaryRow> summaryRows(String printed) {
    Map<String, SummaryRow> rows = new HashMap<>();
    Matcher m = ROW.matcher(printed);
    while (m.find()) {
      rows.put(
          m.group(1).trim(),
          new SummaryRow(
              Long.parseLong(m.group(2)),
              Long.parseLong(m.group(3)),
              Long.parseLong(m.group(4)),
              Long.parseLong(m.group(5)),
              Long.parseLong(m.group(6)),
              Double.parseDouble(m.group(7))));
    }
    return rows;
  }
}
