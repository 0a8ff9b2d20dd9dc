package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.batch.BatchOptions;
import io.switchboard.client.batch.BatchResult;
import io.switchboard.client.batch.BatchRunner;
import io.switchboard.sandbox.BatchFixtures.SummaryRow;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Call;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch file through the real router, worker and a faulty mock provider: terminal 400s, 429s with
 * Retry-After and 503s that are retried, and a deployment that resets every connection and whose
 * requests fall back to another model.
 */
class BatchEndToEndIT {
  @Test
  @Timeout(300)
  void tenThousandLinesWithInjectedFaultsAreEachAnsweredOnce(@TempDir Path dir) throws Exception {
    int n = 10_000;
    Path input = BatchFixtures.writeInput(dir.resolve("in.jsonl"), n);
    Path output = dir.resolve("out.jsonl");
    Path errors = dir.resolve("err.jsonl");
    Behavior base = Behavior.ok().withLatencyMs(2);
    try (Embedded embedded =
        Embedded.start(KafkaBrokers::start, BatchFixtures.writeFaultyConfig(dir), base, 1, null)) {
      BatchFixtures.injectFaults(embedded.mock(), base);
      ConnectionSettings connection = ConnectionSettings.of(embedded.config());
      BatchOptions options =
          BatchOptions.builder(input, output)
              .errors(errors)
              .model("chat")
              .maxInFlight(2000)
              .requestTimeout(Duration.ofMinutes(4))
              .terminal(false)
              .build();
      ByteArrayOutputStream summaryBytes = new ByteArrayOutputStream();
      ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
      BatchResult result =
          new BatchRunner(
                  connection,
                  options,
                  new PrintStream(summaryBytes, true, StandardCharsets.UTF_8),
                  new PrintStream(logBytes, true, StandardCharsets.UTF_8),
                  Clock.systemUTC())
              .run();
      String summary = summaryBytes.toString(StandardCharsets.UTF_8);
      assertThat(result.answered())
          .as("%s%n%s", logBytes.toString(StandardCharsets.UTF_8), summary)
          .isEqualTo(n);

      List<JsonNode> lines = BatchFixtures.readLines(output);
      assertThat(lines).hasSize(n);
      Set<String> ids =
          lines.stream().map(l -> l.path("custom_id").asText()).collect(Collectors.toSet());
      assertThat(ids)
          .hasSize(n)
          .containsAll(IntStream.range(0, n).mapToObj(i -> "c-" + i).toList());
      List<JsonNode> failedLines =
          lines.stream()
              .filter(l -> !l.path("error").isNull() && !l.path("error").isMissingNode())
              .toList();
      assertThat((long) failedLines.size())
          .as("about 3%% of the requests get a 400")
          .isBetween(n / 100L, n / 10L);
      assertThat(failedLines)
          .as("only the 400s fail: retried faults and resets are recovered")
          .allSatisfy(l -> assertThat(l.at("/response/status_code").asInt()).isEqualTo(400));
      assertThat(result.failed()).isEqualTo(failedLines.size());
      assertThat(Files.readAllLines(errors)).hasSize(failedLines.size());

      List<JsonNode> ok =
          lines.stream().filter(l -> l.at("/response/status_code").asInt() == 200).toList();
      assertThat(ok).hasSize(n - failedLines.size());
      assertThat(
              ok.stream()
                  .map(l -> l.at("/switchboard/deployment_id").asText())
                  .collect(Collectors.toSet()))
          .as(
              "the resetting deployment never answers; its requests fail over to its healthy twins of"
                  + " the same alias, never to the fallback model")
          .containsExactlyInAnyOrder("chat-east", "chat-west");
      assertThat(ok)
          .as("answers after a retried 429 or 503")
          .anySatisfy(
              l ->
                  assertThat(l.at("/switchboard/attempts").asInt())
                      .isGreaterThan(1)
                      .isLessThanOrEqualTo(3));
      assertThat(ok)
          .as(
              "requests of the resetting deployment were tried there first, then answered by a twin")
          .anySatisfy(l -> assertThat(l.at("/switchboard/attempts").asInt()).isGreaterThan(1));

      List<Call> calls = embedded.mock().calls();
      assertThat(calls)
          .as("calls per request and status: 429s, 503s and resets were injected")
          .anySatisfy(c -> assertThat(c.status()).isEqualTo(429))
          .anySatisfy(c -> assertThat(c.status()).isEqualTo(503))
          .anySatisfy(
              c ->
                  assertThat(c)
                      .extracting(Call::deployment, Call::status)
                      .containsExactly("chat-flaky", 0));
      assertThat((long) calls.size()).isGreaterThan(n);
      Map<String, JsonNode> byRequestId =
          lines.stream()
              .collect(
                  Collectors.toMap(
                      l -> BatchRunner.batchId(output) + ":" + l.get("custom_id").asText(),
                      l -> l));
      assertThat(
              calls.stream()
                  .filter(c -> c.deployment().equals("chat-flaky"))
                  .map(Call::requestId)
                  .distinct())
          .as(
              "every request that met a reset was still answered by a twin: ok, or the twin's injected"
                  + " terminal 400")
          .isNotEmpty()
          .allSatisfy(
              id ->
                  assertThat(byRequestId.get(id).at("/response/status_code").asInt())
                      .isIn(200, 400));

      assertSummaryMatchesWhatTheMockReported(summary, lines);
    }
  }

  /**
   * Every summary row (and the total) holds the tokens the mock answered with (the usage of each
   * completion) and their cost at the config's prices.
   */
  static void assertSummaryMatchesWhatTheMockReported(String summary, List<JsonNode> lines) {
    Map<String, SummaryRow> rows = BatchFixtures.summaryRows(summary);
    Map<String, long[]> expected = new HashMap<>();
    Map<String, Double> expectedCost = new HashMap<>();
    for (JsonNode l : lines) {
      JsonNode s = l.get("switchboard");
      String key = s.get("model_name").asText() + " / " + s.get("deployment_id").asText();
      long[] e = expected.computeIfAbsent(key, k -> new long[5]);
      boolean ok = l.at("/response/status_code").asInt() == 200;
      long in = ok ? l.at("/response/body/usage/prompt_tokens").asLong() : 0;
      long out = ok ? l.at("/response/body/usage/completion_tokens").asLong() : 0;
      if (ok) {
        assertThat(in).as("the mock reports usage").isPositive();
      }
      e[0]++;
      e[ok ? 1 : 2]++;
      e[3] += in;
      e[4] += out;
      double[] price = BatchFixtures.PRICES.get(s.get("deployment_id").asText());
      expectedCost.merge(key, (in * price[0] + out * price[1]) / 1_000_000, Double::sum);
    }
    assertThat(rows.keySet()).containsAll(expected.keySet()).contains("total");
    long[] total = new long[5];
    double totalCost = 0;
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      long[] x = e.getValue();
      SummaryRow row = rows.get(e.getKey());
      assertThat(
              new long[] {row.requests(), row.ok(), row.failed(), row.tokensIn(), row.tokensOut()})
          .as("requests, ok, failed, tokens in, tokens out of %s", e.getKey())
          .containsExactly(x);
      assertThat(row.cost())
          .as("cost of %s", e.getKey())
          .isCloseTo(expectedCost.get(e.getKey()), within(2e-6));
      for (int i = 0; i < 5; i++) {
        total[i] += x[i];
      }
      totalCost += expectedCost.get(e.getKey());
    }
    SummaryRow t = rows.get("total");
    assertThat(new long[] {t.requests(), t.ok(), t.failed(), t.tokensIn(), t.tokensOut()})
        .containsExactly(total);
    assertThat(t.cost()).isCloseTo(totalCost, within(2e-6)).isPositive();
  }
}
